<?php
/**
 * Servers recording their store, split-presence detection, and an unreachable backend
 * (includes/servers.php, WP_Presence_Store_Unavailable).
 *
 * @package Presence
 */

/**
 * In-process: the record, its rarity, what Site Health concludes.
 */
class ServersTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		$this->forget_mark();
		delete_site_option( WP_PRESENCE_SERVERS_OPTION );
	}

	protected function tearDown(): void {
		$this->forget_mark();
		parent::tearDown();
	}

	/**
	 * Removes this process's "recorded recently" mark.
	 *
	 * @return void
	 */
	private function forget_mark() {
		global $wpdb;
		$store = wp_presence_store();
		if ( $store instanceof WP_Presence_Store_Extension ) {
			$old = $store->get_namespace();
			$store->set_namespace( 'wp-' . substr( md5( DB_NAME . '|' . $wpdb->base_prefix . '|' . ABSPATH ), 0, 12 ) . '-servers' );
			$store->clear();
			$store->set_namespace( $old );
		}
		foreach ( (array) glob( trailingslashit( get_temp_dir() ) . 'wp-presence-server-*.mark' ) as $mark ) {
			unlink( $mark );
		}
	}

	/**
	 * A record as a server writes it.
	 *
	 * @param string $host  Host.
	 * @param string $store Store key.
	 * @param int    $age   Seconds since it was seen.
	 * @return array
	 */
	private function record( $host, $store, $age = 0 ) {
		return array(
			'host'    => $host,
			'store'   => $store,
			'label'   => 'store ' . $store,
			'backend' => 'extension',
			'seen'    => time() - $age,
		);
	}

	public function test_a_server_records_its_store_once_per_interval() {
		global $wpdb;
		$this->assertTrue( wp_presence_maybe_record_server() );
		$servers = wp_presence_servers();
		$this->assertCount( 1, $servers );
		$record = reset( $servers );
		$this->assertSame( wp_presence_server_host(), $record['host'] );
		$this->assertSame( wp_presence_backend(), $record['backend'] );
		$this->assertEqualsWithDelta( time(), $record['seen'], 2 );
		$prefix = array(
			'extension' => 'extension|' . wp_presence_server_host() . '|',
			'sql'       => 'sql|',
			'redis'     => 'redis|',
		);
		$this->assertStringStartsWith( $prefix[ wp_presence_backend() ], $record['store'] );
		if ( $this->on_extension() ) {
			$this->assertStringContainsString( presence_stats()['path'], $record['label'], 'the segment names the store' );
		}

		// Within the interval: no record, and no query at all to find that out.
		$queries = $wpdb->num_queries;
		$this->assertFalse( wp_presence_maybe_record_server() );
		if ( $this->storage_is_sql_free() ) {
			$this->assertSame( $queries, $wpdb->num_queries );
		}
	}

	public function test_the_mark_expires_with_the_interval() {
		$this->add_test_filter(
			'wp_presence_server_record_interval',
			static function () {
				return 10;
			}
		);
		$this->assertTrue( wp_presence_maybe_record_server() );
		$this->assertFalse( wp_presence_maybe_record_server() );
		if ( $this->on_extension() ) {
			WP_Presence_Testing::advance( 11 );
		} else {
			foreach ( (array) glob( trailingslashit( get_temp_dir() ) . 'wp-presence-server-*.mark' ) as $mark ) {
				touch( $mark, time() - 11 );
			}
			clearstatcache();
		}
		$this->assertTrue( wp_presence_maybe_record_server() );
	}

	public function test_the_heartbeat_hook_leaves_the_tick_alone() {
		$response = array( 'a' => 1 );
		$this->assertSame( $response, wp_presence_heartbeat_record_server( $response, array( 'wp-presence' => array() ) ) );
		$this->assertFalse( has_action( 'shutdown', 'wp_presence_maybe_record_server' ), 'php-cli is not a web server' );
		$this->assertSame( array(), wp_presence_servers(), 'nothing recorded during the request' );
	}

	public function test_two_stores_seen_recently_are_split_presence() {
		update_site_option(
			WP_PRESENCE_SERVERS_OPTION,
			array(
				'k1' => $this->record( 'web-1', 'extension|web-1|/dev/shm/a|1' ),
				'k2' => $this->record( 'web-2', 'extension|web-2|/dev/shm/a|1', 60 ),
			)
		);
		wp_presence_maybe_record_server(); // This process is a third server (or the same as neither).
		$health = wp_presence_servers_health_test();
		$this->assertSame( 'presence_servers', $health['test'] );
		$this->assertSame( 'critical', $health['status'] );
		$this->assertSame( 'Presence is split between web servers', $health['label'] );
		$this->assertStringContainsString( 'web-1', $health['description'] );
		$this->assertStringContainsString( 'web-2', $health['description'] );
		$this->assertStringContainsString( 'WP_PRESENCE_BACKEND', $health['description'] );
	}

	public function test_one_shared_store_is_good_and_old_records_do_not_count() {
		$mine = wp_presence_server_store_identity( wp_presence_store() );
		update_site_option(
			WP_PRESENCE_SERVERS_OPTION,
			array(
				'k1' => $this->record( 'web-1', $mine['key'] ),
				'k2' => $this->record( 'web-2', 'extension|web-2|/dev/shm/x|9', 3 * 300 + 5 ),    // Not seen lately.
				'k3' => $this->record( 'web-3', 'extension|web-3|/dev/shm/y|9', DAY_IN_SECONDS + 5 ), // Pruned.
				'k4' => 'garbage',
				'k5' => array( 'host' => 'no-store' ),
			)
		);
		$this->assertSame( array( 'k1', 'k2' ), array_keys( wp_presence_servers() ) );
		$health = wp_presence_servers_health_test();
		$this->assertSame( 'good', $health['status'], $health['description'] );
		$this->assertStringContainsString( 'web-1', $health['description'] );
		$this->assertStringNotContainsString( 'web-2', $health['description'] );
	}

	public function test_a_hostile_option_cannot_break_the_page() {
		update_site_option( WP_PRESENCE_SERVERS_OPTION, 'not an array' );
		$this->assertSame( array(), wp_presence_servers() );
		update_site_option(
			WP_PRESENCE_SERVERS_OPTION,
			array( 'k1' => $this->record( '<script>alert(1)</script>', '<b>x</b>' ), 'k2' => $this->record( 'web-2', 'y' ) )
		);
		$health = wp_presence_servers_health_test();
		$this->assertStringNotContainsString( '<script>', $health['description'] );
		$this->assertStringContainsString( '&lt;script&gt;', $health['description'] );
	}

	public function test_an_unreachable_backend_makes_presence_unavailable_not_sql() {
		$down   = new WP_Presence_Store_Unavailable( 'redis', 'Connection refused' );
		$filter = static function () use ( $down ) {
			return $down;
		};
		$a = $this->make_user( 'editor' );
		add_filter( 'wp_presence_store', $filter );
		try {
			wp_presence_store( true );
			$this->assertSame( $down, wp_presence_store() );
			$this->assertSame( 'redis', wp_presence_backend() );
			$this->assertFalse( wp_presence_is_available() );
			$reply = $this->heartbeat( $a, $this->ping( 'downtab01' ) )['wp-presence'];
			$this->assertSame( 'presence_unavailable', $reply['error'] );
			$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
			$this->assertFalse( wp_presence_maybe_record_server(), 'nothing to record' );
			$health = wp_presence_servers_health_test();
			$this->assertSame( 'critical', $health['status'] );
			try {
				$down->room( 'admin/online' );
				$this->fail( 'no exception' );
			} catch ( RuntimeException $e ) {
				$this->assertSame( 'presence redis store unavailable: Connection refused', $e->getMessage() );
			}
		} finally {
			remove_filter( 'wp_presence_store', $filter );
			wp_presence_store( true );
		}
	}
}
