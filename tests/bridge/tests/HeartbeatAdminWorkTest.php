<?php
/**
 * What a Heartbeat tick leaves out of `init` and `admin_init`, in process (HeartbeatAdminWorkHttpTest
 * checks the same over HTTP).
 *
 * @package Presence
 */

/**
 * Settings registered on demand on a tick, settings fields and the policy text skipped on it.
 */
class HeartbeatAdminWorkTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		require_once ABSPATH . 'wp-admin/includes/class-wp-privacy-policy-content.php';
		$this->unregister_settings();
		$this->policy_texts( array() );
	}

	protected function tearDown(): void {
		global $wp_settings_fields;
		unset( $_REQUEST['action'] );
		foreach ( array_keys( wp_presence_site_option_defaults() ) as $option ) {
			remove_filter( 'default_option_' . $option, 'wp_presence_register_settings_on_demand', 9 );
			remove_filter( 'sanitize_option_' . $option, 'wp_presence_register_settings_on_demand', 9 );
		}
		$this->unregister_settings();
		wp_presence_register_settings_now(); // As the test run's init left them.
		$this->policy_texts( array() );
		$wp_settings_fields = array(); // phpcs:ignore WordPress.WP.GlobalVariablesOverride
		parent::tearDown();
	}

	/**
	 * Unregisters the bridge's settings.
	 *
	 * @return void
	 */
	private function unregister_settings() {
		unregister_setting( 'general', WP_PRESENCE_RECORDING_OPTION );
		foreach ( array_keys( wp_presence_site_option_defaults() ) as $option ) {
			unregister_setting( WP_PRESENCE_SETTINGS_GROUP, $option );
		}
	}

	/**
	 * Makes this request an admin-ajax.php request with an action.
	 *
	 * @param string $action Action.
	 * @return void
	 */
	private function ajax( $action ) {
		$this->add_test_filter( 'wp_doing_ajax', '__return_true' );
		$_REQUEST['action'] = $action;
	}

	/**
	 * Core's collected policy texts (private), read or replaced.
	 *
	 * @param array|null $texts New value, or null to read.
	 * @return array
	 */
	private function policy_texts( $texts = null ) {
		$property = new ReflectionProperty( 'WP_Privacy_Policy_Content', 'policy_content' );
		$property->setAccessible( true );
		if ( null !== $texts ) {
			$property->setValue( null, $texts );
		}
		return (array) $property->getValue();
	}

	/**
	 * Runs the privacy text hook as admin_init does, and says whether ours was added.
	 *
	 * @return bool
	 */
	private function policy_added() {
		global $wp_current_filter;
		set_current_screen( 'dashboard' );
		$wp_current_filter[] = 'admin_init'; // wp_add_privacy_policy_content() wants to be called on admin_init.
		try {
			wp_presence_privacy_policy_content();
		} finally {
			array_pop( $wp_current_filter );
			unset( $GLOBALS['current_screen'] );
		}
		return in_array( 'Presence', wp_list_pluck( $this->policy_texts(), 'plugin_name' ), true );
	}

	public function test_settings_are_registered_on_every_request_but_a_tick() {
		foreach ( array( '', 'heartbeat-not', 'wp_presence_leave' ) as $action ) {
			if ( '' !== $action ) {
				$this->ajax( $action );
			}
			wp_presence_register_settings();
			$settings = get_registered_settings();
			$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, $settings, $action );
			$this->assertArrayHasKey( WP_PRESENCE_FEATURES_OPTION, $settings, $action );
			$this->assertArrayHasKey( WP_PRESENCE_IDLE_OPTION, $settings, $action );
			$this->unregister_settings();
		}

		$this->ajax( 'heartbeat' );
		wp_presence_register_settings();
		$this->assertArrayNotHasKey( WP_PRESENCE_RECORDING_OPTION, get_registered_settings(), 'not on a tick' );
		$this->assertArrayNotHasKey( WP_PRESENCE_FEATURES_OPTION, get_registered_settings() );
		// The bridge's own reads on a tick need no registration (wp_presence_autoloaded_option()).
		$this->assertTrue( wp_presence_recording_enabled() );
		$this->assertTrue( wp_presence_feature_enabled( 'post-locks' ) );
		$this->assertArrayNotHasKey( WP_PRESENCE_RECORDING_OPTION, get_registered_settings(), 'the switch checks registered nothing' );
	}

	public function test_a_tick_registers_the_settings_when_a_default_is_read() {
		delete_option( WP_PRESENCE_FEATURES_OPTION );
		$this->ajax( 'heartbeat' );
		wp_presence_register_settings();
		$this->assertArrayNotHasKey( WP_PRESENCE_FEATURES_OPTION, get_registered_settings() );
		// A third party reading the missing option gets the registered default, as elsewhere.
		$this->assertSame( wp_presence_feature_defaults(), get_option( WP_PRESENCE_FEATURES_OPTION ) );
		$this->assertArrayHasKey( WP_PRESENCE_FEATURES_OPTION, get_registered_settings() );
	}

	public function test_a_tick_registers_the_settings_when_one_is_saved() {
		$this->ajax( 'heartbeat' );
		wp_presence_register_settings();
		// Saved on a tick, the value is sanitised as on any other request.
		update_option( WP_PRESENCE_RECORDING_OPTION, 'nonsense' );
		$this->assertSame( '0', get_option( WP_PRESENCE_RECORDING_OPTION ) );
		$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, get_registered_settings() );
		update_option( WP_PRESENCE_RECORDING_OPTION, '1' );
	}

	public function test_settings_fields_are_skipped_on_a_tick() {
		global $wp_settings_fields;
		wp_set_current_user( $this->make_user( 'administrator' ) );
		$this->ajax( 'heartbeat' );
		wp_presence_settings_fields();
		$this->assertFalse( isset( $wp_settings_fields['general']['default'][ WP_PRESENCE_RECORDING_OPTION ] ), 'not on a tick' );
		$_REQUEST['action'] = 'wp_presence_leave';
		wp_presence_settings_fields();
		$this->assertArrayHasKey( WP_PRESENCE_RECORDING_OPTION, $wp_settings_fields['general']['default'] );
	}

	public function test_policy_text_is_skipped_on_a_tick_unless_core_compares_it() {
		$admin = $this->make_user( 'administrator' );
		if ( is_multisite() ) {
			grant_super_admin( $admin ); // Editing the policy page takes manage_privacy_options: the network's.
		}
		wp_set_current_user( $admin );
		$page = $this->make_post( $admin, array( 'post_type' => 'page' ) );
		update_option( 'wp_page_for_privacy_policy', $page );

		$this->assertTrue( $this->policy_added(), 'an admin page suggests the text' );
		$this->policy_texts( array() );

		$this->ajax( 'heartbeat' );
		$this->assertFalse( $this->policy_added(), 'a tick: the policy page has no reviewed suggestions, core compares nothing' );

		// Once suggestions were reviewed on the page, core compares the texts on every admin_init,
		// the tick's too: ours must be there, or the tick would record it as removed.
		add_post_meta( $page, '_wp_suggested_privacy_policy_content', array( 'plugin_name' => 'Presence', 'policy_text' => 'x', 'added' => time() ) );
		$this->assertTrue( $this->policy_added(), 'a tick where core compares the texts' );
		$this->policy_texts( array() );

		// A user who may not edit the page: core compares nothing for them.
		wp_set_current_user( $this->make_user( 'author' ) );
		$this->assertFalse( $this->policy_added() );
		if ( is_multisite() ) {
			revoke_super_admin( $admin );
		}
	}
}
