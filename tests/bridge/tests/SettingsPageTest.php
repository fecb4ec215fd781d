<?php
/**
 * Settings → Presence: access, each switch, the times, the store panel.
 *
 * @package Presence
 */

/**
 * The settings pages and what each switch does.
 */
class SettingsPageTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		$GLOBALS['title'] = 'Presence'; // What the admin menu sets for get_admin_page_title().
		$this->add_test_filter(
			'wp_die_handler',
			static function () {
				return static function ( $message ) {
					throw new Presence_Test_Die( is_string( $message ) ? $message : 'wp_die' );
				};
			}
		);
	}

	protected function tearDown(): void {
		unset( $GLOBALS['current_screen'], $GLOBALS['wp_settings_errors'], $GLOBALS['title'] );
		$_POST = array();
		parent::tearDown();
		RecordingTest::resync_network_switch();
	}

	/**
	 * A page's HTML.
	 *
	 * @param callable $render Renderer.
	 * @return string
	 */
	private function html( callable $render ) {
		ob_start();
		try {
			$render();
		} finally {
			$html = ob_get_clean();
		}
		return $html;
	}

	/**
	 * Saves the feature switches as the settings form does (hidden 0, ticked 1).
	 *
	 * @param array $on Feature => bool.
	 * @return void
	 */
	private function save_features( array $on ) {
		$form = array();
		foreach ( $on as $feature => $value ) {
			$form[ $feature ] = $value ? '1' : '0';
		}
		update_option( WP_PRESENCE_FEATURES_OPTION, $form );
	}

	public function test_page_is_for_administrators() {
		global $submenu;
		$submenu = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		wp_set_current_user( $this->make_user( 'editor' ) );
		wp_presence_settings_menu();
		$this->assertEmpty( $submenu, 'no menu entry for an editor' );
		try {
			WP_Presence_Settings_Page::render();
			$this->fail( 'an editor saw the page' );
		} catch ( Presence_Test_Die $e ) {
			$this->assertStringContainsString( 'not allowed', $e->getMessage() );
		}

		wp_set_current_user( $this->make_user( 'administrator' ) );
		if ( is_multisite() ) {
			grant_super_admin( get_current_user_id() );
		}
		wp_presence_settings_menu();
		$this->assertSame( WP_PRESENCE_SETTINGS_GROUP, $submenu['options-general.php'][0][2] );
		$this->assertSame( 'manage_options', $submenu['options-general.php'][0][1] );
		wp_presence_settings_fields();
		set_current_screen( 'settings_page_' . WP_PRESENCE_SETTINGS_GROUP );
		$html = $this->html( array( 'WP_Presence_Settings_Page', 'render' ) );
		foreach ( array( 'wp_presence_recording', 'wp_presence_features[post-locks]', 'wp_presence_features[front-end]', 'wp_presence_features[invisible]', 'wp_presence_idle_after', 'wp_presence_away_after' ) as $field ) {
			$this->assertStringContainsString( 'name="' . $field . '"', $html, $field );
		}
		$this->assertStringContainsString( "name='option_page' value='wp_presence'", $html );
		$this->assertStringContainsString( 'wp-presence-store-panel', $html );
		if ( is_multisite() ) {
			revoke_super_admin( get_current_user_id() );
		}
	}

	public function test_post_locks_switch() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$room = wp_presence_post_room( $post );
		$this->save_features( array( 'post-locks' => false, 'front-end' => true, 'invisible' => true ) );
		$this->assertFalse( wp_presence_feature_enabled( 'post-locks' ) );
		$r = $this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertArrayHasKey( 'new_lock', $r['wp-refresh-post-lock'], 'core\'s lock is untouched' );
		$this->assertNull( wp_presence_store()->get( $room, 'lock-' . $a ), 'off: no lock entry' );

		$this->save_features( array( 'post-locks' => true, 'front-end' => true, 'invisible' => true ) );
		delete_post_meta( $post, '_edit_lock' );
		$this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertNotNull( wp_presence_store()->get( $room, 'lock-' . $a ), 'on: the lock holder appears' );

		$this->add_test_filter(
			'wp_presence_feature_enabled',
			static function ( $on, $feature ) {
				return 'post-locks' === $feature ? false : $on;
			},
			10,
			2
		);
		$this->assertFalse( wp_presence_feature_enabled( 'post-locks' ), 'the filter decides' );
		$this->assertTrue( wp_presence_feature_enabled( 'front-end' ) );
	}

	public function test_front_end_switch() {
		$a = $this->make_user( 'editor' );
		$this->save_features( array( 'post-locks' => true, 'front-end' => false, 'invisible' => true ) );
		$r = $this->heartbeat( $a, $this->ping( 'tabfront1', array( 'screen' => 'front' ) ), 'front' );
		$this->assertArrayNotHasKey( 'wp-presence', $r );
		$r = $this->heartbeat( $a, array( 'presence-ping' => array( 'screen' => 'front' ) ), 'front' );
		$this->assertArrayNotHasKey( 'presence-online', $r );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ), 'nothing recorded from the front end' );
		$this->assertFalse( wp_presence_ui_enabled(), 'no UI on the public site' );
		$this->assertFalse( wp_presence_ui_user_can_see() );

		// The admin still records and shows.
		$r = $this->heartbeat( $a, $this->ping( 'tabadmin1' ), 'dashboard' );
		$this->assertArrayHasKey( 'wp-presence', $r );
		set_current_screen( 'dashboard' );
		$this->assertTrue( wp_presence_ui_user_can_see() );
		unset( $GLOBALS['current_screen'] );

		$this->save_features( array( 'post-locks' => true, 'front-end' => true, 'invisible' => true ) );
		$this->heartbeat( $a, $this->ping( 'tabfront1', array( 'screen' => 'front' ) ), 'front' );
		$this->assertNotNull( wp_presence_store()->get( 'admin/online', 'tab-' . $a . '-tabfront1' ) );
		$this->assertTrue( wp_presence_ui_user_can_see() );
	}

	public function test_invisible_switch() {
		$hider  = $this->make_user( 'editor' );
		$viewer = $this->make_user( 'editor' );
		$this->assertTrue( wp_set_user_presence_preference( $hider, 'invisible' ) );
		$this->heartbeat( $hider, $this->ping( 'tabhide01' ) );
		wp_set_current_user( $viewer );
		$this->assertNotContains( $hider, $this->ids( wp_presence_online_users() ), 'allowed: hidden' );

		$this->save_features( array( 'post-locks' => true, 'front-end' => true, 'invisible' => false ) );
		WP_Presence_Testing::reset_caches();
		$this->assertSame( '', wp_get_user_presence_preference( $hider ), 'reads as automatic' );
		$this->assertSame( 'invisible', get_user_meta( $hider, WP_PRESENCE_PREFERENCE_META, true ), 'the choice is kept for when it is allowed again' );
		wp_set_current_user( $viewer );
		$this->assertContains( $hider, $this->ids( wp_presence_online_users() ), 'the entry written while invisible shows' );
		$this->assertSame( 'online', wp_get_user_presence_status( $hider ) );
		$get = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		$this->assertContains( $hider, array_map( 'intval', wp_list_pluck( $get->get_data(), 'user_id' ) ), 'REST shows the user' );
		$this->assertFalse( wp_set_user_presence_preference( $viewer, 'invisible' ), 'nobody can choose it' );
		$this->assertArrayNotHasKey( 'invisible', wp_presence_ui_preferences(), 'the picker does not offer it' );
		$this->assertArrayHasKey( 'dnd', wp_presence_ui_preferences() );

		$this->save_features( array( 'post-locks' => true, 'front-end' => true, 'invisible' => true ) );
		WP_Presence_Testing::reset_caches();
		wp_set_current_user( $viewer );
		$this->assertNotContains( $hider, $this->ids( wp_presence_online_users() ), 'allowed again: hidden again' );
	}

	public function test_recording_switch_on_the_page_is_the_same_option() {
		global $new_allowed_options;
		$this->assertContains( WP_PRESENCE_RECORDING_OPTION, $new_allowed_options[ WP_PRESENCE_SETTINGS_GROUP ] );
		$a = $this->make_user( 'editor' );
		update_option( WP_PRESENCE_RECORDING_OPTION, '0' );
		$this->assertArrayNotHasKey( 'wp-presence', $this->heartbeat( $a, $this->ping( 'tabrec001' ) ) );
	}

	public function test_features_are_sanitised() {
		$this->assertSame(
			array(
				'post-locks' => false,
				'front-end'  => true,
				'invisible'  => false,
			),
			sanitize_option(
				WP_PRESENCE_FEATURES_OPTION,
				array(
					'post-locks' => '0',
					'front-end'  => '1',
					'evil'       => '1',
					'invisible'  => array( '1' ),
				)
			)
		);
		$this->assertSame( array( 'post-locks' => false, 'front-end' => false, 'invisible' => false ), sanitize_option( WP_PRESENCE_FEATURES_OPTION, 'junk' ) );
		$this->assertTrue( wp_presence_feature_enabled( 'something-without-a-switch' ) );
	}

	public function test_idle_and_away_times_feed_the_ui() {
		$this->assertSame( 60, wp_presence_ui_idle_after() );
		$this->assertSame( 300, wp_presence_ui_away_after() );
		update_option( WP_PRESENCE_IDLE_OPTION, '90' );
		update_option( WP_PRESENCE_AWAY_OPTION, '600' );
		$this->assertSame( 90, wp_presence_ui_idle_after() );
		$this->assertSame( 600, wp_presence_ui_away_after() );
		// Code filtering at the default priority still has the last word.
		$this->add_test_filter(
			'wp_presence_idle_after',
			static function () {
				return 42;
			}
		);
		$this->assertSame( 42, wp_presence_ui_idle_after() );
	}

	public function test_times_are_validated() {
		update_option( WP_PRESENCE_IDLE_OPTION, 90 );
		update_option( WP_PRESENCE_AWAY_OPTION, 600 );
		foreach ( array( '5', '3601', 'abc', '-60', '60.5', array( 70 ), '', null, '1e3' ) as $bad ) {
			$GLOBALS['wp_settings_errors'] = array();
			update_option( WP_PRESENCE_IDLE_OPTION, $bad );
			$this->assertSame( 90, (int) get_option( WP_PRESENCE_IDLE_OPTION ), var_export( $bad, true ) . ' kept the old value' );
			$errors = get_settings_errors( WP_PRESENCE_IDLE_OPTION );
			$this->assertNotEmpty( $errors, var_export( $bad, true ) );
			$this->assertStringContainsString( 'from 10 to 3600', $errors[0]['message'] );
		}
		update_option( WP_PRESENCE_IDLE_OPTION, ' 120 ' );
		$this->assertSame( 120, (int) get_option( WP_PRESENCE_IDLE_OPTION ) );

		// Away must be longer than idle.
		$GLOBALS['wp_settings_errors'] = array();
		update_option( WP_PRESENCE_AWAY_OPTION, '120' );
		$this->assertSame( 600, (int) get_option( WP_PRESENCE_AWAY_OPTION ) );
		$this->assertStringContainsString( 'from 121 to 86400', get_settings_errors( WP_PRESENCE_AWAY_OPTION )[0]['message'] );
		update_option( WP_PRESENCE_AWAY_OPTION, '121' );
		$this->assertSame( 121, (int) get_option( WP_PRESENCE_AWAY_OPTION ) );
	}

	public function test_store_panel_shows_the_backend_and_escapes() {
		$rows = array();
		foreach ( WP_Presence_Settings_Page::store_rows( true ) as $row ) {
			$rows[ $row[0] ] = $row[1];
		}
		$this->assertSame( wp_presence_backend(), $rows['Backend'] );
		$this->assertSame( wp_presence_backend_reason(), $rows['Why this backend'] );
		$stats = wp_presence_store()->stats();
		if ( $this->on_extension() ) {
			$this->assertSame( $stats['path'], $rows['Segment path'] );
			$this->assertMatchesRegularExpression( '/^[\d,.]+ of [\d,.]+ entries \([\d.,]+%\)$/', $rows['Capacity used'] );
			$this->assertSame( (string) $stats['lock_recoveries'], $rows['Lock recoveries'] );
			$this->assertSame( (string) $stats['full_refusals'], $rows['Full-store refusals'] );
			$this->assertSame( (string) $stats['layout_version'], $rows['Segment layout version'] );
		} elseif ( $this->on_redis() ) {
			$this->assertSame( (string) $stats['server'], $rows['Redis server'] );
		} else {
			$this->assertSame( $stats['table'], $rows['Table'] );
			$this->assertArrayHasKey( 'Live entries', $rows );
		}
		$this->assertMatchesRegularExpression( '/^-?\d+ seconds?$/', $rows['Clock offset'] );
		$before = (int) $rows['Clock offset'];
		WP_Presence_Testing::advance( 7 );
		$after = array();
		foreach ( WP_Presence_Settings_Page::store_rows( true ) as $row ) {
			$after[ $row[0] ] = $row[1];
		}
		$this->assertEqualsWithDelta( $before + 7, (int) $after['Clock offset'], 1, 'the offset follows the store clock' );

		// Everything printed is escaped (a namespace is any string a filter returns).
		$store = wp_presence_store();
		$ns    = $store->get_namespace();
		$store->set_namespace( '<img src=x onerror=alert(1)>' );
		try {
			$html = $this->html(
				static function () {
					WP_Presence_Settings_Page::render_store_panel( true );
				}
			);
		} finally {
			$store->set_namespace( $ns );
		}
		$this->assertStringNotContainsString( '<img', $html );
		$this->assertStringContainsString( '&lt;img src=x onerror=alert(1)&gt;', $html );
	}

	public function test_site_administrators_on_a_network_see_only_their_backend() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass.' );
		}
		$rows = WP_Presence_Settings_Page::store_rows( false );
		$this->assertSame( array( array( 'Backend', wp_presence_backend() ) ), $rows );
		wp_set_current_user( $this->make_user( 'administrator' ) );
		set_current_screen( 'settings_page_' . WP_PRESENCE_SETTINGS_GROUP );
		$html = $this->html( array( 'WP_Presence_Settings_Page', 'render' ) );
		$this->assertStringNotContainsString( 'Segment path', $html );
		$this->assertStringNotContainsString( 'namespace', $html );
	}

	public function test_network_page() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass.' );
		}
		$admin = $this->make_user( 'administrator' );
		wp_set_current_user( $admin );
		try {
			WP_Presence_Settings_Page::render_network();
			$this->fail( 'a site administrator saw the network page' );
		} catch ( Presence_Test_Die $e ) {
			$this->assertStringContainsString( 'not allowed', $e->getMessage() );
		}
		grant_super_admin( $admin );
		$html = $this->html( array( 'WP_Presence_Settings_Page', 'render_network' ) );
		$this->assertStringContainsString( 'name="' . WP_PRESENCE_NETWORK_RECORDING_OPTION . '"', $html );
		$this->assertStringContainsString( 'Clock offset', $html, 'the full store panel' );

		// Saving: a nonce is needed, then the switch and the action.
		$saved = did_action( 'wp_presence_network_settings_saved' );
		try {
			WP_Presence_Settings_Page::save_network();
			$this->fail( 'saved without a nonce' );
		} catch ( Presence_Test_Die $e ) {
			$this->assertSame( '1', get_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION, '1' ) );
		}
		$_REQUEST['_wpnonce'] = wp_create_nonce( WP_Presence_Settings_Page::NETWORK_ACTION );
		$this->add_test_filter(
			'wp_redirect',
			static function ( $location ) {
				throw new Presence_Test_Die( 'redirect ' . $location );
			}
		);
		try {
			WP_Presence_Settings_Page::save_network();
		} catch ( Presence_Test_Die $e ) {
			$this->assertStringContainsString( 'settings.php?page=wp_presence&updated=true', $e->getMessage() );
		}
		unset( $_REQUEST['_wpnonce'] );
		$this->assertSame( '0', get_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION ) );
		$this->assertSame( $saved + 1, did_action( 'wp_presence_network_settings_saved' ) );
		$this->assertFalse( wp_presence_recording_enabled() );
		revoke_super_admin( $admin );
		update_site_option( WP_PRESENCE_NETWORK_RECORDING_OPTION, '1' );
	}
}
