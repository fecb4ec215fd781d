<?php
/**
 * Admin notice, Site Health and activation.
 *
 * @package Presence
 */

/**
 * Which backend is active, and why, is visible to administrators.
 */
class AdminTest extends Presence_TestCase {

	/**
	 * An administrator who may manage plugins (a super admin on a network).
	 *
	 * @return int
	 */
	private function admin() {
		$id = $this->make_user( 'administrator' );
		if ( is_multisite() ) {
			grant_super_admin( $id );
		}
		wp_set_current_user( $id );
		return $id;
	}

	protected function tearDown(): void {
		$GLOBALS['current_screen'] = null;
		parent::tearDown();
	}

	public function test_notice_on_plugins_screen_states_backend_and_reason() {
		$this->admin();
		set_current_screen( 'plugins' );
		ob_start();
		wp_presence_backend_notice();
		$html = ob_get_clean();
		$this->assertStringContainsString( 'Presence backend: ' . wp_presence_backend() . '.', $html );
		$this->assertStringContainsString( esc_html( wp_presence_backend_reason() ), $html );
		$this->assertStringContainsString( $this->storage_is_sql_free() ? 'notice-info' : 'notice-warning', $html );
		if ( ! $this->storage_is_sql_free() ) {
			$this->assertStringContainsString( 'extension is not loaded', $html );
		}
		if ( $this->on_redis() ) {
			$this->assertStringContainsString( 'WP_PRESENCE_BACKEND selects Redis', $html );
		}
	}

	public function test_no_notice_elsewhere_or_for_editors() {
		$this->admin();
		set_current_screen( 'dashboard' );
		ob_start();
		wp_presence_backend_notice();
		$this->assertSame( '', ob_get_clean() );
		wp_set_current_user( $this->make_user( 'editor' ) );
		set_current_screen( 'plugins' );
		ob_start();
		wp_presence_backend_notice();
		$this->assertSame( '', ob_get_clean() );
	}

	public function test_site_health() {
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		$this->assertSame( 'wp_presence_site_health_test', $tests['direct']['presence_backend']['test'] );
		$result = wp_presence_site_health_test();
		$this->assertSame( 'presence_backend', $result['test'] );
		$this->assertSame( $this->storage_is_sql_free() ? 'good' : 'recommended', $result['status'] );
		$this->assertStringContainsString( wp_presence_backend(), $result['label'] );
		$this->assertStringContainsString( esc_html( wp_presence_backend_reason() ), $result['description'] );
		if ( $this->storage_is_sql_free() ) {
			$this->assertStringContainsString( wp_presence_store()->get_namespace(), $result['description'] );
		}
	}

	public function test_activation_created_table_and_cron() {
		global $wpdb;
		$this->assertTrue( WP_Presence_Store_SQL::is_installed() );
		$this->assertSame( WP_Presence_Store_SQL::table(), $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', WP_Presence_Store_SQL::table() ) ) );
		$this->assertNotFalse( wp_next_scheduled( 'wp_presence_sweep' ) );
		$this->assertArrayHasKey( 'wp_presence_minute', wp_get_schedules() );
		$this->assertSame( 60, wp_get_schedules()['wp_presence_minute']['interval'] );
	}

	public function test_unusable_extension_store_falls_back_to_sql_and_says_why() {
		if ( ! extension_loaded( 'presence' ) ) {
			$this->markTestSkipped( 'Extension pass only.' );
		}
		$so = (string) getenv( 'PRESENCE_TEST_SO' );
		$this->assertFileExists( $so, 'run.sh exports PRESENCE_TEST_SO' );
		$r = shell_exec( escapeshellarg( PHP_BINARY ) . ' -d ' . escapeshellarg( 'extension=' . $so ) . ' -d presence.shm_path=/proc/nonexistent/presence -r ' . escapeshellarg( '$_SERVER["HTTP_HOST"] = "127.0.0.1:8101"; require "' . ABSPATH . 'wp-load.php"; echo "<<", wp_presence_backend(), "|", wp_presence_backend_reason(), ">>";' ) . ' 2>&1' );
		$this->assertMatchesRegularExpression( '/<<sql\|The presence PHP extension is loaded but its store cannot be used \(.*shm_path.*\); using the SQL table instead\.>>/s', (string) $r );
	}

	public function test_forced_sql_backend() {
		if ( defined( 'WP_PRESENCE_BACKEND' ) ) {
			$this->markTestSkipped( 'WP_PRESENCE_BACKEND is defined for this run.' );
		}
		$r = shell_exec( escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( 'define( "WP_PRESENCE_BACKEND", "sql" ); $_SERVER["HTTP_HOST"] = "127.0.0.1:8101"; require "' . ABSPATH . 'wp-load.php"; echo "<<", wp_presence_backend(), "|", wp_presence_backend_reason(), ">>";' ) . ' 2>&1' );
		$this->assertMatchesRegularExpression( '/<<sql\|The SQL backend is forced by the WP_PRESENCE_BACKEND constant\.>>/', (string) $r );
	}
}
