<?php
/**
 * Multisite: one namespace per site.
 *
 * @package Presence
 */

/**
 * Runs in the multisite pass (PRESENCE_TEST_MULTISITE=1).
 */
class MultisiteTest extends Presence_TestCase {

	/**
	 * Second site.
	 *
	 * @var int
	 */
	private $blog;

	protected function setUp(): void {
		if ( ! is_multisite() ) {
			if ( '1' === getenv( 'PRESENCE_TEST_MULTISITE' ) ) {
				$this->fail( 'The multisite pass runs on a single site.' );
			}
			$this->markTestSkipped( 'Single-site pass; the multisite pass runs these.' );
		}
		parent::setUp();
		$this->blog = (int) wp_insert_site(
			array(
				'domain' => get_network()->domain,
				'path'   => '/site' . wp_rand( 1000, 999999 ) . '/',
				'title'  => 'Second',
			)
		);
		$this->assertGreaterThan( 1, $this->blog );
	}

	public function test_sites_do_not_share_presence() {
		$a = $this->make_user( 'editor' );
		add_user_to_blog( $this->blog, $a, 'editor' );
		wp_set_presence( 'admin/online', 'main', array(), $a );
		$main_ns = wp_presence_store()->get_namespace();

		switch_to_blog( $this->blog );
		$this->assertNotSame( $main_ns, wp_presence_store()->get_namespace(), 'switch_blog re-applies the namespace' );
		$this->assertSame( wp_presence_namespace( $this->blog ), wp_presence_store()->get_namespace() );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ), 'nothing leaks from the main site' );
		wp_set_presence( 'admin/online', 'second', array(), $a );
		$this->assertSame( array( 'second' ), wp_list_pluck( wp_get_presence( 'admin/online' ), 'client_id' ) );
		WP_Presence_Testing::reset();
		restore_current_blog();

		$this->assertSame( $main_ns, wp_presence_store()->get_namespace() );
		$this->assertSame( array( 'main' ), wp_list_pluck( wp_get_presence( 'admin/online' ), 'client_id' ) );
	}

	public function test_heartbeat_on_one_site_is_not_seen_on_another() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		add_user_to_blog( $this->blog, $a, 'editor' );
		add_user_to_blog( $this->blog, $b, 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabmsaaa1' ) );
		switch_to_blog( $this->blog );
		$reply = $this->heartbeat( $b, $this->ping( 'tabmsbbb1' ) )['wp-presence'];
		$this->assertSame( array( $b ), $this->ids( $reply['rooms']['admin/online']['users'] ) );
		WP_Presence_Testing::reset();
		restore_current_blog();
		wp_set_current_user( $a );
		$this->assertSame( array( $a ), $this->ids( wp_presence_online_users() ) );
	}

	public function test_logout_affects_every_site_removal_one_and_network_delete_all() {
		$a = $this->make_user( 'editor' );
		add_user_to_blog( $this->blog, $a, 'editor' );
		wp_set_presence( 'admin/online', 'main', array(), $a );
		switch_to_blog( $this->blog );
		wp_set_presence( 'admin/online', 'second', array(), $a );
		do_action( 'wp_logout', $a );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
		wp_set_presence( 'admin/online', 'second', array(), $a );
		restore_current_blog();
		$this->assertSame( array(), wp_get_presence( 'admin/online' ), 'one login covers the network: logout on the second site ends it on the main site too' );
		wp_set_presence( 'admin/online', 'main', array(), $a );

		remove_user_from_blog( $a, $this->blog );
		$this->assertSame(
			array(),
			wp_presence_in_blog(
				$this->blog,
				static function () {
					return wp_get_presence( 'admin/online' );
				}
			),
			'removed from the second site: gone there'
		);
		$this->assertCount( 1, wp_get_presence( 'admin/online' ) );

		add_user_to_blog( $this->blog, $a, 'editor' );
		wp_presence_in_blog(
			$this->blog,
			static function () use ( $a ) {
				return wp_set_presence( 'admin/online', 'second', array(), $a );
			}
		);
		wpmu_delete_user( $a );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
		$this->assertSame(
			array(),
			wp_presence_in_blog(
				$this->blog,
				static function () {
					return wp_get_presence( 'admin/online' );
				}
			)
		);
	}

	public function test_network_view() {
		$a     = $this->make_user( 'editor' );
		$b     = $this->make_user( 'editor' );
		$super = $this->make_user( 'administrator' );
		grant_super_admin( $super );
		add_user_to_blog( $this->blog, $a, 'editor' );
		add_user_to_blog( $this->blog, $b, 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabnetaaa1' ) );
		switch_to_blog( $this->blog );
		$this->heartbeat( $a, $this->ping( 'tabnetaaa2', array( 'activity' => 'away' ) ) );
		$this->heartbeat( $b, $this->ping( 'tabnetbbb1' ) );
		restore_current_blog();

		wp_set_current_user( $a );
		$this->assertSame( array(), wp_presence_network_summary(), 'super admins only' );
		$this->assertSame( array(), wp_presence_network_online_users(), 'super admins only' );
		wp_set_current_user( $super );
		$summary = array_column( wp_presence_network_summary(), null, 'blog_id' );
		$this->assertSame( 1, $summary[ get_main_site_id() ]['users'] );
		$this->assertSame( 2, $summary[ $this->blog ]['users'] );
		$this->assertSame( 2, $summary[ $this->blog ]['entries'] );

		$rows = array_column( wp_presence_network_online_users(), null, 'user_id' );
		$this->assertSame( array( get_main_site_id(), $this->blog ), $rows[ $a ]['sites'] );
		$this->assertSame( 'online', $rows[ $a ]['status'], 'most present across sites' );
		$this->assertSame( array( $this->blog ), $rows[ $b ]['sites'] );

		// CLI --network, as the operator (no user).
		require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-cli-command.php';
		wp_set_current_user( 0 );
		WP_CLI::$out = array();
		( new WP_Presence_CLI_Command() )->summary( array(), array( 'network' => true, 'format' => 'json' ) );
		$this->assertSame( 'items:json', WP_CLI::$out[0][0] );
		$cli = array_column( WP_CLI::$out[0][1], null, 'blog_id' );
		$this->assertSame( 2, $cli[ $this->blog ]['users'] );

		switch_to_blog( $this->blog );
		WP_Presence_Testing::reset();
		restore_current_blog();
	}

	public function test_bridge_is_network_active_and_table_is_shared() {
		global $wpdb;
		$this->assertArrayHasKey( 'presence/presence.php', (array) get_site_option( 'active_sitewide_plugins' ) );
		$this->assertSame( $wpdb->base_prefix . 'presence', WP_Presence_Store_SQL::table() );
		switch_to_blog( $this->blog );
		$this->assertSame( $wpdb->base_prefix . 'presence', WP_Presence_Store_SQL::table(), 'one table for the network' );
		restore_current_blog();
	}
}
