<?php
/**
 * Issue 8 hole 10: WP_Presence_Testing is for tests only, and so is a moved clock.
 *
 * @package Presence
 */

/**
 * Production requests (WP_PRESENCE_TESTING not true) never load the helpers and ignore a stored
 * clock offset; tests can move the clock and put it back.
 */
class TestingHelpersTest extends Presence_TestCase {

	/**
	 * The subprocess writes the offset for good: no transaction.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	/**
	 * Loads the site in a fresh PHP process with WP_PRESENCE_TESTING false (as in production)
	 * and runs some code there.
	 *
	 * @param string $code PHP code (after wp-load.php) that echoes JSON.
	 * @return array
	 */
	private function production( $code ) {
		$script = 'define( "WP_PRESENCE_TESTING", false ); $_SERVER["HTTP_HOST"] = ' . var_export( (string) $_SERVER['HTTP_HOST'], true ) . '; require ' . var_export( ABSPATH . 'wp-load.php', true ) . '; echo "<<"; ' . $code . ' echo ">>";';
		$out    = (string) shell_exec( escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( $script ) . ' 2>&1' );
		$this->assertMatchesRegularExpression( '/<<(.*)>>/s', $out, $out );
		preg_match( '/<<(.*)>>/s', $out, $m );
		$json = json_decode( $m[1], true );
		$this->assertIsArray( $json, $out );
		return $json;
	}

	public function test_production_requests_do_not_load_the_helpers() {
		$r = $this->production( 'echo wp_json_encode( array( "bridge" => defined( "WP_PRESENCE_BRIDGE_VERSION" ), "testing" => class_exists( "WP_Presence_Testing", false ) ) );' );
		$this->assertTrue( $r['bridge'] );
		$this->assertFalse( $r['testing'], 'WP_Presence_Testing is not loaded outside tests' );
		$this->assertTrue( class_exists( 'WP_Presence_Testing', false ), 'and it is loaded here (WP_PRESENCE_TESTING)' );
	}

	public function test_production_sql_store_ignores_a_stored_clock_offset() {
		$r = $this->production(
			'$old  = get_network_option( null, "wp_presence_clock_offset", 0 );
			$save = static function ( $v ) { return is_multisite() ? update_network_option( null, "wp_presence_clock_offset", $v ) : update_option( "wp_presence_clock_offset", $v, true ); };
			$save( 7200 );
			wp_cache_flush();
			$store = new WP_Presence_Store_SQL();
			$skew  = $store->now() - time();
			$error = "";
			try { $store->advance( 60 ); } catch ( LogicException $e ) { $error = $e->getMessage(); }
			$after = (int) get_network_option( null, "wp_presence_clock_offset", 0 );
			$save( $old );
			echo wp_json_encode( array( "skew" => $skew, "error" => $error, "after" => $after, "stats" => $store->stats()["clock_offset"] ) );'
		);
		$this->assertLessThanOrEqual( 1, abs( $r['skew'] ), 'the clock is time(), whatever the option says' );
		$this->assertStringContainsString( 'WP_PRESENCE_TESTING', $r['error'], 'advance() refuses, naming the constant' );
		$this->assertSame( 7200, $r['after'], 'and moves nothing' );
		$this->assertSame( 0, $r['stats'] );
	}

	public function test_production_redis_store_ignores_the_shared_clock_offset() {
		if ( ! $this->on_redis() ) {
			$this->markTestSkipped( 'Redis pass only.' );
		}
		$prefix = WP_Presence_Store_Redis::config()['prefix'];
		$r      = $this->production(
			'$store = new WP_Presence_Store_Redis();
			$redis = new Redis(); $c = WP_Presence_Store_Redis::config(); $redis->connect( $c["host"], (int) $c["port"] );
			$old = $redis->get( ' . var_export( $prefix . 'clock', true ) . ' );
			$redis->set( ' . var_export( $prefix . 'clock', true ) . ', 7200 );
			$skew = $store->now() - time();
			$error = "";
			try { $store->advance( 60 ); } catch ( LogicException $e ) { $error = $e->getMessage(); }
			$after = (int) $redis->get( ' . var_export( $prefix . 'clock', true ) . ' );
			false === $old ? $redis->del( ' . var_export( $prefix . 'clock', true ) . ' ) : $redis->set( ' . var_export( $prefix . 'clock', true ) . ', $old );
			echo wp_json_encode( array( "skew" => $skew, "error" => $error, "after" => $after ) );'
		);
		$this->assertLessThanOrEqual( 1, abs( $r['skew'] ), "Redis's TIME, whatever {prefix}clock says" );
		$this->assertStringContainsString( 'WP_PRESENCE_TESTING', $r['error'] );
		$this->assertSame( 7200, $r['after'] );
	}

	public function test_reset_clock_undoes_advance() {
		if ( $this->on_extension() && ! function_exists( 'presence_debug_reset_clock' ) ) {
			try {
				WP_Presence_Testing::reset_clock();
				$this->fail( 'reset_clock() must say the extension cannot reset its clock' );
			} catch ( LogicException $e ) {
				$this->assertStringContainsString( 'presence_debug_reset_clock', $e->getMessage() );
			}
			return;
		}
		$real = $this->on_redis() ? null : time();
		WP_Presence_Testing::advance( 3600 );
		$this->assertGreaterThanOrEqual( 3600, WP_Presence_Testing::now() - time() );
		WP_Presence_Testing::reset_clock();
		$this->assertLessThanOrEqual( 1, abs( WP_Presence_Testing::now() - time() ), 'back to real time' );
		if ( null !== $real ) {
			$this->assertSame( 0, (int) wp_presence_store()->stats()['clock_offset'] );
		}

		// And the store works on the real clock again: an entry lives its TTL from now.
		wp_set_presence( 'testing/room', 'c1', array() );
		$entry = wp_presence_store()->get( 'testing/room', 'c1' );
		$this->assertLessThanOrEqual( 1, abs( $entry['updated'] - time() ) );
		WP_Presence_Testing::advance( WP_PRESENCE_DEFAULT_TTL + 1 );
		$this->assertSame( array(), wp_get_presence( 'testing/room' ) );
		WP_Presence_Testing::reset_clock();

		if ( ! is_multisite() ) {
			global $wpdb;
			$autoload = $wpdb->get_var( $wpdb->prepare( "SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", WP_Presence_Store_SQL::OFFSET_OPTION ) );
			$this->assertContains( $autoload, wp_autoload_values_to_autoload(), 'moving the SQL clock keeps its option autoloaded' );
		}
	}

	public function test_advance_needs_a_positive_number() {
		$this->expectException( InvalidArgumentException::class );
		WP_Presence_Testing::advance( 0 );
	}
}
