<?php
/**
 * The recording switch: site and network, filters, what "off" stops, and what it costs.
 *
 * @package Presence
 */

require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-cli-recording.php';

/**
 * A store that counts every call, then passes it on.
 */
class Presence_Spy_Store implements WP_Presence_Store {

	/**
	 * Calls made, by method.
	 *
	 * @var int[]
	 */
	public $calls = array();

	/**
	 * The real store.
	 *
	 * @var WP_Presence_Store
	 */
	private $inner;

	/**
	 * Constructor.
	 *
	 * @param WP_Presence_Store $inner Real store.
	 */
	public function __construct( WP_Presence_Store $inner ) {
		$this->inner = $inner;
	}

	/**
	 * Counts and forwards.
	 *
	 * @param string $method Method.
	 * @param array  $args   Arguments.
	 * @return mixed
	 */
	private function pass( $method, array $args ) {
		$this->calls[ $method ] = ( isset( $this->calls[ $method ] ) ? $this->calls[ $method ] : 0 ) + 1;
		return call_user_func_array( array( $this->inner, $method ), $args );
	}

	// phpcs:disable Squiz.Commenting.FunctionComment.Missing -- Forwarders of WP_Presence_Store.
	public function name() {
		return $this->inner->name(); // Not counted: naming the backend touches nothing.
	}
	public function set_namespace( $ns ) {
		return $this->inner->set_namespace( $ns );
	}
	public function get_namespace() {
		return $this->inner->get_namespace();
	}
	public function upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function get( $room, $client_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function room( $room, $max_age = null ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function remove( $room, $client_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function remove_user( $user_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function rooms_entries( array $rooms ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function user_entries( $user_id ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function rooms( $prefix = '' ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function room_counts( array $namespaces, $room ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function room_version( $room ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function sweep() {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function clear() {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function stats() {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function now() {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	public function advance( $seconds ) {
		return $this->pass( __FUNCTION__, func_get_args() );
	}
	// phpcs:enable
}

/**
 * Recording on and off.
 */
class RecordingTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		WP_CLI::$out = array();
	}

	protected function tearDown(): void {
		if ( false !== has_filter( 'wp_presence_store', array( __CLASS__, 'spy' ) ) ) {
			remove_filter( 'wp_presence_store', array( __CLASS__, 'spy' ) );
			wp_presence_store( true );
		}
		unset( $_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ], $GLOBALS['current_screen'] );
		parent::tearDown();
		self::resync_network_switch();
	}

	/**
	 * The transaction's rollback restored the network option, not the store's copy of it.
	 *
	 * @return void
	 */
	public static function resync_network_switch() {
		if ( is_multisite() ) {
			wp_presence_network_switch_cache( get_current_network_id(), '0' !== (string) get_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION, '1' ) );
		}
	}

	/**
	 * `wp_presence_store` filter: wraps the store in a spy.
	 *
	 * @param WP_Presence_Store $store Store.
	 * @return Presence_Spy_Store
	 */
	public static function spy( $store ) {
		return new Presence_Spy_Store( $store );
	}

	/**
	 * A query with its numbers (times, ids) blanked, to compare two runs.
	 *
	 * @param string $sql SQL.
	 * @return string
	 */
	private static function shape( $sql ) {
		return preg_replace( '/\d+/', 'N', $sql );
	}

	/**
	 * Recorded output of one kind.
	 *
	 * @param string $kind Kind.
	 * @return array
	 */
	private function out( $kind ) {
		$found = array();
		foreach ( WP_CLI::$out as $o ) {
			if ( $o[0] === $kind ) {
				$found[] = $o[1];
			}
		}
		return $found;
	}

	/**
	 * Someone online in the admin room and in a post, through every writer.
	 *
	 * @return int[] array( user, post ).
	 */
	private function someone_online() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $a, $this->ping( 'tabaaaa01', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		wp_set_presence( 'custom/room', 'third-party', array( 'x' => 1 ), $a );
		$this->assertNotEmpty( wp_presence_store()->user_entries( $a ) );
		return array( $a, $post );
	}

	public function test_on_by_default_and_the_site_switch_turns_it_off() {
		$this->assertTrue( wp_presence_recording_enabled() );
		$this->assertTrue( wp_presence_is_available() );
		wp_presence_set_recording( false );
		$this->assertSame( '0', get_option( WP_PRESENCE_RECORDING_OPTION ) );
		$this->assertFalse( wp_presence_recording_enabled() );
		$this->assertFalse( wp_presence_is_available(), 'presence-api: storage present and recording on' );
		wp_presence_set_recording( true );
		$this->assertTrue( wp_presence_recording_enabled() );
	}

	public function test_filters_and_network_off_wins() {
		$this->add_test_filter( 'wp_presence_recording_enabled', '__return_false' );
		$this->assertFalse( wp_presence_recording_enabled() );
		remove_filter( 'wp_presence_recording_enabled', '__return_false' );

		wp_presence_set_recording( false );
		$this->add_test_filter( 'wp_presence_recording_enabled', '__return_true' );
		$this->assertTrue( wp_presence_recording_enabled(), 'the site filter decides over the stored switch' );

		$this->add_test_filter( 'wp_presence_network_recording_enabled', '__return_false' );
		$this->assertFalse( wp_presence_recording_enabled(), 'network off wins over a site forced on' );
	}

	public function test_turning_the_site_switch_off_clears_its_presence() {
		list( $a ) = $this->someone_online();
		wp_presence_set_recording( false );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ) );
		$this->assertSame( array(), wp_presence_store()->rooms( '' ) );
		wp_presence_set_recording( true );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ), 'nothing comes back when it is on again' );
		$this->assertSame( array(), wp_presence_store()->rooms( '' ), 'screen revisions live in a namespace of their own' );
		$rooms = wp_list_pluck( wp_presence_in_revisions( static fn( $store ) => $store->rooms( '' ) ), 'room' );
		$this->assertSame( array( '_screen/options:' . WP_PRESENCE_SETTINGS_GROUP ), $rooms, 'only the settings page\'s revision: the switch was saved' );
	}

	public function test_saving_general_settings_off_clears_too() {
		list( $a ) = $this->someone_online();
		// What options.php does for an unticked box: the value is null, then sanitised.
		update_option( WP_PRESENCE_RECORDING_OPTION, null );
		$this->assertSame( '0', get_option( WP_PRESENCE_RECORDING_OPTION ) );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ) );
	}

	public function test_off_nothing_is_written() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		wp_presence_set_recording( false );

		$r = $this->heartbeat( $a, $this->ping( 'tabaaaa01', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->assertArrayNotHasKey( 'wp-presence', $r, 'no reply: nothing shown' );
		$r = $this->heartbeat(
			$a,
			array(
				'presence-ping'              => array( 'screen' => 'dashboard' ),
				'presence-editor-ping'       => array( 'post_id' => $post ),
				'presence-active-posts-ping' => 1,
			)
		);
		$this->assertArrayNotHasKey( 'presence-online', $r );
		$this->assertArrayNotHasKey( 'presence-active-posts', $r );
		$r = $this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertArrayHasKey( 'new_lock', $r['wp-refresh-post-lock'], 'core\'s post lock works as without the plugin' );
		$this->assertFalse( wp_set_presence( 'custom/room', 'c1', array(), $a ) );
		do_action( 'wp_login', get_userdata( $a )->user_login, get_userdata( $a ) );
		wp_set_current_user( $a );
		$this->assertSame( 501, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'rest-1', 'data' => array() ) )->get_status() );

		$this->assertSame( array(), wp_presence_store()->user_entries( $a ), 'Heartbeat, post lock, wp_set_presence, login and REST wrote nothing' );
		$this->assertSame( array(), wp_presence_store()->rooms( '' ) );
	}

	public function test_rest_when_off() {
		$a = $this->make_user( 'editor' );
		wp_set_presence( 'admin/online', 'c1', array(), $a );
		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		wp_set_current_user( $a );

		$post = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'c2', 'data' => array( 'x' => 1 ) ) );
		$this->assertSame( 501, $post->get_status() );
		$this->assertSame( 'rest_presence_recording_disabled', $post->get_data()['code'] );
		$this->assertSame( 'no-store', $post->get_headers()['Cache-Control'] );
		$delete = $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'c2' ) );
		$this->assertSame( 501, $delete->get_status() );
		$this->assertSame( 'rest_presence_recording_disabled', $delete->get_data()['code'] );

		foreach ( array( array( '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) ), array( '/wp-presence/v1/presence/rooms', array() ) ) as $read ) {
			$get = $this->rest( 'GET', $read[0], $read[1] );
			$this->assertSame( 200, $get->get_status(), $read[0] );
			$this->assertSame( array(), $get->get_data(), $read[0] . ': nothing shown' );
			$this->assertSame( '0', $get->get_headers()['X-WP-Total'] );
			$this->assertSame( 'off', $get->get_headers()['X-WP-Presence-Recording'] );
		}

		// Permission checks come first: the logged-out and the unauthorised learn nothing of the switch.
		wp_set_current_user( 0 );
		$this->assertSame( 401, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'c3' ) )->get_status() );
		wp_set_current_user( $this->make_user( 'subscriber' ) );
		$this->assertSame( 403, $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_status() );
		// Bad arguments are still a 400.
		wp_set_current_user( $a );
		$this->assertSame( 400, $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'per_page' => 0 ) )->get_status() );
	}

	public function test_ui_is_hidden_when_off() {
		$admin = $this->make_user( 'administrator' );
		wp_set_current_user( $admin );
		set_current_screen( 'dashboard' );
		require_once ABSPATH . WPINC . '/class-wp-admin-bar.php';
		$this->assertTrue( wp_presence_ui_user_can_see() );
		$this->assertTrue( wp_presence_ui_should_enqueue() );
		$bar = new WP_Admin_Bar();
		wp_presence_ui_admin_bar_menu( $bar );
		$this->assertNotNull( $bar->get_node( 'wp-presence' ), 'the admin bar node while recording' );

		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		$this->assertFalse( wp_presence_ui_user_can_see() );
		$this->assertFalse( wp_presence_ui_should_enqueue() );
		$bar = new WP_Admin_Bar();
		wp_presence_ui_admin_bar_menu( $bar );
		$this->assertNull( $bar->get_node( 'wp-presence' ), 'no admin bar node' );
	}

	public function test_off_heartbeat_costs_what_it_costs_without_the_plugin() {
		global $wpdb;
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$data = array_merge(
			$this->ping( 'tabaaaa01', array( 'screen' => 'post', 'post_id' => $post ) ),
			array(
				'presence-ping'        => array( 'screen' => 'post', 'post_id' => $post ),
				'presence-editor-ping' => array( 'post_id' => $post ),
				'wp-refresh-post-lock' => array( 'post_id' => $post ),
				'wp-presence-screen'   => array(
					'key' => 'post:' . $post,
					'rev' => 0,
				),
			)
		);
		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );

		$count = function ( callable $tick ) use ( $wpdb, $a ) {
			wp_cache_flush();
			wp_load_alloptions();
			wp_set_current_user( 0 );
			wp_set_current_user( $a );
			current_user_can( 'read' );
			$queries = array();
			$record  = static function ( $sql ) use ( &$queries ) {
				$queries[] = $sql;
				return $sql;
			};
			add_filter( 'query', $record );
			$response = $tick();
			remove_filter( 'query', $record );
			return array( $queries, $response );
		};

		// With the plugin "off": the bridge's Heartbeat handlers removed.
		$handlers = array(
			array( 'wp_presence_heartbeat_received', 9 ),
			array( 'wp_presence_heartbeat_legacy', 9 ),
			array( 'wp_presence_post_lock_bridge', 11 ),
			array( 'wp_presence_screen_heartbeat', 12 ),
		);
		foreach ( $handlers as $h ) {
			remove_filter( 'heartbeat_received', $h[0], $h[1] );
		}
		list( $without, $response_without ) = $count(
			function () use ( $data ) {
				return apply_filters( 'heartbeat_received', array(), $data, 'post' );
			}
		);
		foreach ( $handlers as $h ) {
			add_filter( 'heartbeat_received', $h[0], $h[1], 3 );
		}
		delete_post_meta( $post, '_edit_lock' );

		// Recording off, every handler in place, and a store that counts what touches it.
		add_filter( 'wp_presence_store', array( __CLASS__, 'spy' ) );
		$spy = wp_presence_store( true );
		$this->assertInstanceOf( Presence_Spy_Store::class, $spy );
		list( $with, $response_with ) = $count(
			function () use ( $data ) {
				return apply_filters( 'heartbeat_received', array(), $data, 'post' );
			}
		);

		$this->assertSame( array(), $spy->calls, 'the store is never touched' );
		$this->assertSame( array_keys( $response_without ), array_keys( $response_with ), 'the same reply as without the plugin' );
		$extra = array_values( array_diff( array_map( array( __CLASS__, 'shape' ), $with ), array_map( array( __CLASS__, 'shape' ), $without ) ) );
		$this->assertSame( array(), $extra, 'zero extra queries' );
		$this->assertSame( count( $without ), count( $with ) );
	}

	public function test_network_off_heartbeat_costs_no_query_either() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass.' );
		}
		global $wpdb;
		$a = $this->make_user( 'editor' );
		update_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION, '0' );
		add_filter( 'wp_presence_store', array( __CLASS__, 'spy' ) );
		$spy = wp_presence_store( true );
		wp_presence_network_recording_switch(); // The copy in the store, as the first request of the minute leaves it.
		wp_cache_flush();
		wp_load_alloptions();
		wp_set_current_user( 0 );
		wp_set_current_user( $a );
		$spy->calls = array();
		$queries    = array();
		$record     = static function ( $sql ) use ( &$queries ) {
			$queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		$response = apply_filters( 'heartbeat_received', array(), $this->ping( 'tabnet001' ), 'dashboard' );
		remove_filter( 'query', $record );
		$this->assertArrayNotHasKey( 'wp-presence', $response );
		if ( $this->storage_is_sql_free() ) {
			$this->assertSame( array(), $queries, 'the network switch is read from the store' );
			$this->assertSame( array( 'get' => 1 ), $spy->calls, 'one read of the switch, nothing of the site\'s presence' );
		} else {
			$this->assertCount( 1, $queries, 'the SQL store: the network option itself' );
			$this->assertStringContainsString( WP_PRESENCE_NETWORK_RECORDING_OPTION, $queries[0] );
			$this->assertSame( array(), $spy->calls );
		}
		update_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION, '1' );
	}

	public function test_recording_on_adds_no_query_for_the_switch() {
		$a = $this->make_user( 'editor' );
		wp_presence_recording_enabled(); // Warm, as any earlier request of the minute did.
		wp_cache_flush();
		wp_load_alloptions();
		$queries = array();
		$record  = static function ( $sql ) use ( &$queries ) {
			$queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		$on = wp_presence_recording_enabled() && wp_presence_feature_enabled( 'post-locks' ) && wp_presence_feature_enabled( 'front-end' );
		remove_filter( 'query', $record );
		$this->assertTrue( $on );
		// On a network on the SQL store, the network option is read (no autoloaded copy exists).
		$this->assertCount( is_multisite() && ! $this->storage_is_sql_free() ? 1 : 0, $queries, implode( "\n", $queries ) );
	}

	public function test_general_setting_is_registered_and_sanitised() {
		$settings = get_registered_settings();
		$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, $settings );
		global $new_allowed_options;
		$this->assertContains( WP_PRESENCE_RECORDING_OPTION, $new_allowed_options['general'] );
		$this->assertContains( WP_PRESENCE_RECORDING_OPTION, $new_allowed_options[ WP_PRESENCE_SETTINGS_GROUP ] );
		foreach ( array( null, '', '0', 'off', array( '1' ), 'nonsense', 2 ) as $off ) {
			$this->assertSame( '0', sanitize_option( WP_PRESENCE_RECORDING_OPTION, $off ), var_export( $off, true ) );
		}
		foreach ( array( '1', ' ON ', 'yes', true, 1 ) as $on ) {
			$this->assertSame( '1', sanitize_option( WP_PRESENCE_RECORDING_OPTION, $on ), var_export( $on, true ) );
		}
	}

	public function test_general_checkbox_is_rendered() {
		global $wp_settings_fields;
		wp_set_current_user( $this->make_user( 'administrator' ) );
		wp_presence_settings_fields();
		$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, $wp_settings_fields['general']['default'] );
		ob_start();
		wp_presence_render_recording_field();
		$html = ob_get_clean();
		$this->assertMatchesRegularExpression( '/<input type="checkbox" id="wp_presence_recording" name="wp_presence_recording" value="1"\s+checked=\'checked\'/', $html );
		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		ob_start();
		wp_presence_render_recording_field();
		$this->assertStringNotContainsString( 'checked', ob_get_clean() );
	}

	public function test_network_switch_needs_a_network() {
		if ( is_multisite() ) {
			$this->markTestSkipped( 'Single-site behaviour.' );
		}
		$this->assertFalse( wp_presence_set_recording( false, true ) );
		$this->assertTrue( wp_presence_network_recording_switch() );
		$this->assertTrue( wp_presence_recording_enabled() );
	}

	public function test_network_switch_stops_and_clears_every_site() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass.' );
		}
		$blog = (int) wp_insert_site(
			array(
				'domain' => get_network()->domain,
				'path'   => '/rec' . wp_rand( 1000, 999999 ) . '/',
				'title'  => 'Recording',
			)
		);
		$a = $this->make_user( 'editor' );
		add_user_to_blog( $blog, $a, 'editor' );
		wp_set_presence( 'admin/online', 'main', array(), $a );
		switch_to_blog( $blog );
		wp_set_presence( 'admin/online', 'second', array(), $a );
		restore_current_blog();

		// Network Admin → Settings, as network/settings.php saves it.
		wp_set_current_user( $this->make_user( 'administrator' ) );
		grant_super_admin( get_current_user_id() );
		ob_start();
		wp_presence_render_network_settings();
		$this->assertStringContainsString( 'name="' . WP_PRESENCE_NETWORK_RECORDING_OPTION . '"', ob_get_clean() );
		unset( $_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ] );
		wp_presence_save_network_settings();
		$this->assertSame( '0', get_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION ) );

		$this->assertFalse( wp_presence_recording_enabled() );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ), 'main site cleared' );
		switch_to_blog( $blog );
		$this->assertTrue( wp_presence_site_recording_switch(), 'the site keeps its own switch' );
		$this->assertFalse( wp_presence_recording_enabled(), 'network off wins' );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ), 'second site cleared' );
		$this->assertFalse( wp_set_presence( 'admin/online', 'again', array(), $a ) );
		restore_current_blog();

		$_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ] = '1';
		wp_presence_save_network_settings();
		$this->assertTrue( wp_presence_recording_enabled() );
		revoke_super_admin( get_current_user_id() );

		// Only network administrators save it.
		wp_set_current_user( $this->make_user( 'administrator' ) );
		unset( $_POST[ WP_PRESENCE_NETWORK_RECORDING_OPTION ] );
		wp_presence_save_network_settings();
		$this->assertSame( '1', get_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION ) );
		wp_delete_site( $blog );
	}

	public function test_cli_get_and_set() {
		$cli = new WP_Presence_CLI_Recording_Command();
		list( $a ) = $this->someone_online();
		$cli->get( array(), array() );
		$this->assertSame( array( 'on' ), $this->out( 'line' ) );

		$cli->set( array( 'off' ), array() );
		$this->assertSame( '0', get_option( WP_PRESENCE_RECORDING_OPTION ) );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ), 'stored presence removed' );
		$this->assertStringContainsString( 'off for this site', $this->out( 'success' )[0] );
		WP_CLI::$out = array();
		$cli->get( array(), array() );
		$this->assertSame( array( 'off' ), $this->out( 'line' ) );

		foreach ( array( 'ON', ' on', '1', '' ) as $bad ) {
			try {
				$cli->set( array( $bad ), array() );
				$this->fail( 'accepted ' . var_export( $bad, true ) );
			} catch ( WP_CLI_Stand_In_Error $e ) {
				$this->assertStringContainsString( 'Expected "on" or "off"', $e->getMessage() );
			}
		}
		$this->assertSame( '0', get_option( WP_PRESENCE_RECORDING_OPTION ), 'a refused value changes nothing' );

		$cli->set( array( 'on' ), array() );
		$this->assertTrue( wp_presence_recording_enabled() );

		if ( ! is_multisite() ) {
			$this->expectException( WP_CLI_Stand_In_Error::class );
			$this->expectExceptionMessage( '--network needs a multisite network' );
			$cli->set( array( 'off' ), array( 'network' => true ) );
			return;
		}
		WP_CLI::$out = array();
		$cli->set( array( 'off' ), array( 'network' => true ) );
		$cli->get( array(), array( 'network' => true ) );
		$cli->get( array(), array() );
		$this->assertSame( array( 'off', 'off' ), $this->out( 'line' ) );
		$this->assertStringContainsString( 'turned off for the whole network', $this->out( 'warning' )[0] );
		$cli->set( array( 'on' ), array( 'network' => true ) );
		$this->assertTrue( wp_presence_recording_enabled() );
	}

	public function test_cli_command_is_registered_as_a_subcommand() {
		$main = file_get_contents( WP_PRESENCE_BRIDGE_DIR . '/includes/load.php' ); // presence.php holds only the header.
		$this->assertStringContainsString( "WP_CLI::add_command( 'presence recording', 'WP_Presence_CLI_Recording_Command' );", $main );
		$this->assertTrue( method_exists( 'WP_Presence_CLI_Recording_Command', 'get' ) );
		$this->assertTrue( method_exists( 'WP_Presence_CLI_Recording_Command', 'set' ) );
	}

	public function test_option_saved_without_autoload_is_repaired() {
		global $wpdb;
		delete_option( WP_PRESENCE_RECORDING_OPTION );
		add_option( WP_PRESENCE_RECORDING_OPTION, '0', '', false );
		wp_cache_flush();
		$this->assertArrayNotHasKey( WP_PRESENCE_RECORDING_OPTION, wp_load_alloptions() );
		wp_presence_settings_autoload();
		wp_cache_flush();
		$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, wp_load_alloptions() );
		$this->assertFalse( wp_presence_recording_enabled(), 'the saved value, now read without a query' );

		// Never saved: the default, and no query to find out.
		delete_option( WP_PRESENCE_RECORDING_OPTION );
		wp_presence_network_recording_switch();
		wp_cache_flush();
		wp_load_alloptions();
		$before = $wpdb->num_queries;
		$this->assertTrue( wp_presence_recording_enabled() );
		$this->assertSame( $before + ( is_multisite() && ! $this->storage_is_sql_free() ? 1 : 0 ), $wpdb->num_queries );
	}
}
