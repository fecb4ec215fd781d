<?php
/**
 * Issue 8 hole 1: deleting the plugin from wp-admin removes everything it stored.
 *
 * @package Presence
 */

/**
 * A real uninstall on a throwaway install (its own database and site directory, a copy of the
 * plugin, the same MariaDB, Redis and shared-memory segment as the suite): seed with the plugin
 * active, deactivate in one request, delete_plugins() in the next (uninstall.php runs with the
 * plugin not loaded, as in wp-admin), inspect in a third. Single site in the single-site
 * passes, a network of two sites in the multisite pass. The suite's own install is the other
 * install on the same store: its presence must stay.
 */
class UninstallTest extends Presence_TestCase {

	/**
	 * The subprocesses commit: no transaction here.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	/**
	 * Throwaway site directory.
	 *
	 * @var string
	 */
	private $site = '';

	/**
	 * Throwaway database.
	 *
	 * @var string
	 */
	private $db = '';

	protected function tearDown(): void {
		global $wpdb;
		if ( '' !== $this->db ) {
			$wpdb->query( 'DROP DATABASE IF EXISTS `' . $this->db . '`' ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- [a-z0-9_] name.
		}
		if ( '' !== $this->site && is_dir( $this->site ) ) {
			shell_exec( 'rm -rf ' . escapeshellarg( $this->site ) );
		}
		parent::tearDown();
	}

	/**
	 * The PHP command of this pass (with the extension and its segment when loaded).
	 *
	 * @return string[] Words.
	 */
	private function php() {
		$cmd = array( PHP_BINARY );
		if ( extension_loaded( 'presence' ) ) {
			array_push( $cmd, '-d', 'extension=' . getenv( 'PRESENCE_TEST_SO' ), '-d', 'presence.shm_path=' . ini_get( 'presence.shm_path' ), '-d', 'presence.debug_clock=1' );
		}
		return $cmd;
	}

	/**
	 * Runs one step of the probe on the throwaway site.
	 *
	 * @param string $step Step.
	 * @return array
	 */
	private function probe( $step ) {
		$out = (string) shell_exec( implode( ' ', array_map( 'escapeshellarg', $this->php() ) ) . ' ' . escapeshellarg( dirname( __DIR__ ) . '/fixtures/uninstall-probe.php' ) . ' ' . escapeshellarg( $this->site ) . ' ' . escapeshellarg( $step ) . ' 2>&1' );
		if ( ! preg_match( '/<<JSON(.*)JSON>>/s', $out ) ) {
			$log = (string) @file_get_contents( $this->site . '/wp-content/debug.log' ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- may not exist.
			$this->fail( "step $step died; the site's debug.log says:\n" . $log );
		}
		preg_match( '/<<JSON(.*)JSON>>/s', $out, $m );
		$json = json_decode( $m[1], true );
		$this->assertIsArray( $json, $out );
		return $json;
	}

	/**
	 * Creates the throwaway install with scripts/wp/make-site.sh, the plugin copied in (not
	 * linked: delete_plugins() deletes its files).
	 *
	 * @return void
	 */
	private function make_site() {
		$suite      = (string) getenv( 'PRESENCE_TEST_SITE' );
		$this->site = dirname( $suite ) . '/uninstall-' . getmypid();
		$this->db   = 'presence_uninstall_' . getmypid();
		$root       = dirname( __DIR__, 3 );
		$socket     = preg_replace( '/^[^:]*:/', '', DB_HOST );
		shell_exec( 'rm -rf ' . escapeshellarg( $this->site ) );
		mkdir( $this->site, 0755, true );
		if ( is_file( $suite . '/wp-config-extra.php' ) ) {
			copy( $suite . '/wp-config-extra.php', $this->site . '/wp-config-extra.php' ); // Test mode, Redis settings.
		}
		$cmd = 'PHP=' . escapeshellarg( implode( ' ', $this->php() ) ) . ' ' . escapeshellarg( $root . '/scripts/wp/make-site.sh' ) . ' '
			. escapeshellarg( $this->site ) . ' ' . escapeshellarg( $socket ) . ' ' . escapeshellarg( $this->db ) . ' ' . escapeshellarg( (string) getenv( 'PRESENCE_TEST_URL' ) )
			. ( is_multisite() ? ' --multisite' : '' ) . ' 2>&1';
		exec( $cmd, $lines, $rc );
		$this->assertSame( 0, $rc, "make-site.sh:\n" . implode( "\n", $lines ) );
		$plugin = $this->site . '/wp-content/plugins/presence';
		$this->assertTrue( is_link( $plugin ) );
		unlink( $plugin );
		exec( 'cp -a ' . escapeshellarg( $root . '/wordpress-bridge' ) . ' ' . escapeshellarg( $plugin ), $lines, $rc );
		$this->assertSame( 0, $rc );
	}

	public function test_deleting_the_plugin_removes_everything_of_this_install_only() {
		if ( '' === (string) getenv( 'PRESENCE_TEST_SITE' ) ) {
			$this->markTestSkipped( 'Run through tests/bridge/run.sh.' );
		}
		// The other install on the same store: the suite's own site.
		$store = wp_presence_store();
		$store->upsert( 'admin/online', 'other-install', 1, array(), 600 );

		$this->make_site();
		$seed = $this->probe( 'seed' );
		$this->assertSame( wp_presence_backend(), $seed['backend'], 'the throwaway install uses the same backend' );
		$this->assertCount( is_multisite() ? 2 : 1, $seed['namespaces'] );
		$before = $this->probe( 'inspect' );
		$this->assertNotEmpty( $before['tables'] );
		$this->assertNotEmpty( $before['user_meta'] );
		foreach ( $seed['namespaces'] as $blog_id => $ns ) {
			$this->assertStringStartsWith( $before['install_prefix'], $ns );
			$this->assertContains( 'wp_presence_future_setting', $before['options'][ $blog_id ] );
			$this->assertContains( 'wp_presence_sweep', $before['cron'][ $blog_id ] );
			if ( isset( $before['extension'] ) ) {
				$this->assertSame( 1, $before['extension'][ $ns ], "seeded on the extension ($ns)" );
				$this->assertSame( 1, $before['extension'][ $ns . '~h' ] );
			}
		}
		if ( $this->on_redis() ) {
			$this->assertNotEmpty( $before['redis_keys'] );
		}

		$this->assertFalse( $this->probe( 'deactivate' )['active'] );
		$deleted = $this->probe( 'delete' );
		$this->assertFalse( $deleted['loaded'], 'uninstall runs with the plugin not loaded' );
		$this->assertTrue( $deleted['result'], 'delete_plugins() succeeded' );
		$this->assertFalse( $deleted['files'], 'the files are gone' );

		$after = $this->probe( 'inspect' );
		$this->assertSame( array(), $after['tables'], 'tables dropped' );
		$this->assertSame( array(), $after['user_meta'], 'user meta (preferences, dismissed notices) deleted' );
		$this->assertSame( '1', (string) $after['other_meta'], "other plugins' user meta stays" );
		$this->assertSame( array(), $after['network_options'], 'network options deleted' );
		foreach ( array_keys( $seed['namespaces'] ) as $blog_id ) {
			$this->assertSame( array(), $after['options'][ $blog_id ], "options and transients of site $blog_id deleted" );
			$this->assertSame( array(), $after['cron'][ $blog_id ], "cron events of site $blog_id deleted" );
			$this->assertSame( 'stays', $after['kept'][ $blog_id ], "other options of site $blog_id stay" );
		}
		if ( isset( $after['extension'] ) ) {
			foreach ( $after['extension'] as $ns => $count ) {
				$this->assertSame( 0, $count, "no entries left on the extension in $ns" );
			}
		}
		if ( $this->on_redis() ) {
			$this->assertSame( array(), $after['redis_keys'], "no Redis key of this install's namespaces" );
			$this->assertSame( array(), $after['redis_namespaces'] );
		}

		// The other install kept its presence.
		$this->assertNotNull( $store->get( 'admin/online', 'other-install' ), "another install's presence on the same store stays" );
		$this->assertTrue( WP_Presence_Store_SQL::is_installed() );
	}

	public function test_namespace_prefix_matches_the_bridge() {
		require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-uninstaller.php';
		$this->assertSame( WP_Presence_Uninstaller::install_prefix() . get_current_blog_id(), wp_presence_namespace() );
		$this->assertSame( wp_presence_namespace(), WP_Presence_Uninstaller::site_namespace( get_current_blog_id() ) );
		$this->add_test_filter(
			'wp_presence_namespace',
			static function ( $ns, $blog_id ) {
				return 'custom-' . $blog_id;
			},
			10,
			2
		);
		$this->assertSame( wp_presence_namespace( 7 ), WP_Presence_Uninstaller::site_namespace( 7 ), 'filtered namespaces too' );

		// The hidden users' namespace of a site: `{ns}~h`, hashed to fit 64 bytes.
		$this->assertSame( 'wp-0123456789ab-7~h', WP_Presence_Uninstaller::hidden_namespace( 'wp-0123456789ab-7' ) );
		$long = WP_Presence_Uninstaller::hidden_namespace( str_repeat( 'n', 64 ) );
		$this->assertSame( 64, strlen( $long ) );
		$this->assertNotSame( $long, WP_Presence_Uninstaller::hidden_namespace( str_repeat( 'n', 63 ) ) );
	}
}
