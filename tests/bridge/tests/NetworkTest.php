<?php
/**
 * The network view (multisite): counts in one store call, the network widget and columns, the
 * network REST routes and `wp presence network`.
 *
 * @package Presence
 */

require_once dirname( __DIR__ ) . '/includes/class-presence-security-testcase.php';

/**
 * Runs in the multisite pass (PRESENCE_TEST_MULTISITE=1).
 */
class NetworkTest extends Presence_Security_TestCase {

	/**
	 * Second and third sites.
	 *
	 * @var int[]
	 */
	private $blogs = array();

	/**
	 * Users: a, b (online on the second site), c (on the main site), shy (invisible, second site).
	 *
	 * @var int[]
	 */
	private $u = array();

	protected function setUp(): void {
		if ( ! is_multisite() ) {
			if ( '1' === getenv( 'PRESENCE_TEST_MULTISITE' ) ) {
				$this->fail( 'The multisite pass runs on a single site.' );
			}
			$this->markTestSkipped( 'Single-site pass; the multisite pass runs these.' );
		}
		parent::setUp();
		foreach ( array( 'Second <b>site</b>', 'Third' ) as $title ) {
			$this->blogs[] = (int) wp_insert_site(
				array(
					'domain' => get_network()->domain,
					'path'   => '/net' . wp_rand( 1000, 999999 ) . '/',
					'title'  => $title,
				)
			);
		}
		foreach ( array( 'a', 'b', 'c', 'shy' ) as $name ) {
			$this->u[ $name ] = $this->make_user( 'editor', array( 'display_name' => 'User ' . $name ) );
			add_user_to_blog( $this->blogs[0], $this->u[ $name ], 'editor' );
		}
		$this->assertTrue( wp_set_user_presence_preference( $this->u['shy'], 'invisible' ) );
		$this->heartbeat( $this->u['c'], $this->ping( 'tabnetccc1' ) );
		switch_to_blog( $this->blogs[0] );
		$this->heartbeat( $this->u['a'], $this->ping( 'tabnetaaa1' ) );
		$this->heartbeat( $this->u['a'], $this->ping( 'tabnetaaa2' ) );
		$this->heartbeat( $this->u['b'], $this->ping( 'tabnetbbb1' ) );
		$this->heartbeat( $this->u['shy'], $this->ping( 'tabnetshy1' ) );
		restore_current_blog();
		wp_set_current_user( 0 );
	}

	protected function tearDown(): void {
		foreach ( $this->blogs as $blog ) {
			switch_to_blog( $blog );
			WP_Presence_Testing::reset();
			restore_current_blog();
		}
		parent::tearDown();
	}

	/**
	 * A super admin.
	 *
	 * @return int
	 */
	private function super() {
		return $this->viewer( 'super admin' );
	}

	public function test_counts_every_site_in_one_store_call_without_invisible_users() {
		$recorder = $this->start_recording();
		$counts   = wp_presence_network_counts( array( get_main_site_id(), $this->blogs[0], $this->blogs[1] ) );
		$calls    = array_values( preg_grep( '/ room_counts\(/', $recorder->calls ) );
		$this->assertCount( 1, $calls, 'one store call for every site' );
		$this->assertCount( 1, $recorder->calls, 'and nothing else' );
		$this->stop_recording();

		$this->assertSame( array( $this->u['c'] ), $counts[ get_main_site_id() ]['users'] );
		$ab = array( $this->u['a'], $this->u['b'] );
		sort( $ab );
		$this->assertSame( $ab, $counts[ $this->blogs[0] ]['users'], 'the invisible user is not counted' );
		$this->assertSame( 3, $counts[ $this->blogs[0] ]['entries'] );
		$this->assertSame( array(), $counts[ $this->blogs[1] ]['users'] );

		// A filter that hides a user is followed too.
		$this->add_test_filter(
			'wp_presence_force_invisible',
			function ( $hidden, $user_id ) {
				return $user_id === $this->u['b'] ? true : $hidden;
			},
			10,
			2
		);
		$this->assertSame( array( $this->u['a'] ), wp_presence_network_counts( array( $this->blogs[0] ) )[ $this->blogs[0] ]['users'] );
	}

	public function test_a_see_entry_rule_decides_the_network_counts_too() {
		wp_set_current_user( $this->super() );
		$this->add_test_filter(
			'wp_presence_see_entry',
			function ( $seen, $entry ) {
				return (int) $entry['user_id'] === $this->u['b'] ? null : $seen;
			},
			10,
			2
		);
		$this->assertSame( array( $this->u['a'] ), wp_presence_network_counts( array( $this->blogs[0] ) )[ $this->blogs[0] ]['users'], 'counted as the site view shows it' );
		$overview = wp_presence_network_overview();
		$this->assertSame( 2, $overview['users_online'], 'b is not among those online anywhere' );
		$site = wp_list_filter( $overview['sites'], array( 'blog_id' => $this->blogs[0] ) );
		$this->assertSame( 1, reset( $site )['user_count'] );
		ob_start();
		wp_presence_ui_network_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( '2 users online on 2 sites', $html );
		$this->assertStringNotContainsString( 'data-user-id="' . $this->u['b'] . '"', $html );
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Role.
	 */
	public function test_rest_role_matrix( $role ) {
		$viewer = $this->viewer( $role );
		if ( 'administrator' === $role ) {
			add_user_to_blog( $this->blogs[0], $viewer, 'administrator' ); // A site admin, not a super admin.
		}
		wp_set_current_user( $viewer );
		$list = $this->rest( 'GET', '/wp-presence/v1/presence/network' );
		$one  = $this->rest( 'GET', '/wp-presence/v1/presence/network/' . $this->blogs[0] );
		$this->assertSame( 'no-store', $list->get_headers()['Cache-Control'] ?? 'no-store' );
		if ( 'super admin' !== $role ) {
			foreach ( array( $list, $one ) as $r ) {
				$this->assertSame( $viewer ? 403 : 401, $r->get_status(), $role );
				$this->assertSame( 'rest_forbidden', $r->get_data()['code'] );
				$this->assertStringNotContainsString( 'User a', wp_json_encode( $r->get_data() ) );
			}
			return;
		}
		$this->assertSame( 200, $list->get_status() );
		$h = $list->get_headers();
		$this->assertSame( '2', $h['X-WP-Total'], 'the sites with people online' );
		$this->assertSame( '1', $h['X-WP-TotalPages'] );
		$this->assertSame( '1', $h['X-WP-Presence-Aggregating'] );
		$this->assertSame( '3', $h['X-WP-Presence-Users-Online'], 'a, b, c; not the invisible user' );
		$sites = $list->get_data();
		$this->assertSame( $this->blogs[0], $sites[0]['blog_id'], 'busiest first' );
		$this->assertSame( array( 'blog_id', 'domain', 'path', 'url', 'user_count', 'users' ), array_keys( $sites[0] ) );
		$this->assertSame( 2, $sites[0]['user_count'] );
		$this->assertSame( array( 'user_id', 'display_name', 'avatar_url' ), array_keys( $sites[0]['users'][0] ) );
		$this->assertNotContains( $this->u['shy'], wp_list_pluck( $sites[0]['users'], 'user_id' ) );
		$this->assertSame( get_main_site_id(), $sites[1]['blog_id'] );
		$this->assertSame( array( $this->u['c'] ), wp_list_pluck( $sites[1]['users'], 'user_id' ) );

		$this->assertSame( 200, $one->get_status() );
		$this->assertSame( $this->blogs[0], $one->get_data()['blog_id'] );
		$empty = $this->rest( 'GET', '/wp-presence/v1/presence/network/' . $this->blogs[1] );
		$this->assertSame( 200, $empty->get_status(), 'a site with nobody online' );
		$this->assertSame( 0, $empty->get_data()['user_count'] );

		// Paging and users_per_site.
		$page2 = $this->rest( 'GET', '/wp-presence/v1/presence/network', array( 'per_page' => 1, 'page' => 2, 'users_per_site' => 0 ) );
		$this->assertSame( '2', $page2->get_headers()['X-WP-TotalPages'] );
		$this->assertSame( get_main_site_id(), $page2->get_data()[0]['blog_id'] );
		$this->assertSame( array(), $page2->get_data()[0]['users'] );
		$this->assertSame( 1, $page2->get_data()[0]['user_count'] );
	}

	public function test_rest_hostile_parameters() {
		wp_set_current_user( $this->super() );
		foreach ( array( array( 'per_page' => -1 ), array( 'per_page' => 0 ), array( 'per_page' => 100000 ), array( 'page' => 0 ), array( 'users_per_site' => -3 ), array( 'users_per_site' => 101 ), array( 'per_page' => 'ten' ) ) as $params ) {
			$r = $this->rest( 'GET', '/wp-presence/v1/presence/network', $params );
			$this->assertSame( 400, $r->get_status(), wp_json_encode( $params ) );
			$this->assertSame( 'rest_invalid_param', $r->get_data()['code'] );
		}
		$this->assertSame( 404, $this->rest( 'GET', '/wp-presence/v1/presence/network/abc' )->get_status(), 'not a blog id: no route' );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence/network/99999999' );
		$this->assertSame( 404, $r->get_status() );
		$this->assertSame( 'rest_presence_site_not_found', $r->get_data()['code'] );
		$this->assertSame( 200, $this->rest( 'GET', '/wp-presence/v1/presence/network', array( 'page' => 50 ) )->get_status(), 'past the end: an empty page' );
		$this->assertSame( array(), $this->rest( 'GET', '/wp-presence/v1/presence/network', array( 'page' => 50 ) )->get_data() );
	}

	public function test_a_large_network_pages_sites_without_aggregating() {
		wp_set_current_user( $this->super() );
		$this->add_test_filter( 'wp_presence_network_aggregation_enabled', '__return_false' );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence/network', array( 'per_page' => 100 ) );
		$this->assertSame( '0', $r->get_headers()['X-WP-Presence-Aggregating'] );
		$ids = wp_list_pluck( $r->get_data(), 'blog_id' );
		$this->assertContains( $this->blogs[1], $ids, 'every site, with or without people' );
		$this->assertSame( (string) count( get_sites( array( 'number' => 0, 'fields' => 'ids', 'network_id' => get_current_network_id(), 'deleted' => 0, 'archived' => 0, 'spam' => 0 ) ) ), $r->get_headers()['X-WP-Total'] );
		$this->assertFalse( wp_presence_network_aggregation_enabled() );
	}

	public function test_network_widget_and_columns() {
		wp_set_current_user( $this->make_user( 'administrator' ) );
		$this->assertSame( array(), wp_presence_network_overview()['sites'], 'a site admin sees no network' );
		$this->assertArrayNotHasKey( 'wp_presence_online', wp_presence_ui_network_sites_columns( array() ) );

		wp_set_current_user( $this->super() );
		ob_start();
		wp_presence_ui_network_widget();
		$html = ob_get_clean();
		$this->assertStringContainsString( 'Second &lt;b&gt;site&lt;/b&gt;', $html, 'site names escaped' );
		$this->assertStringNotContainsString( '<b>site', $html );
		$this->assertStringContainsString( '3 users online on 2 sites', $html );
		foreach ( array( 'a', 'b', 'c' ) as $name ) {
			$this->assertStringContainsString( 'data-user-id="' . $this->u[ $name ] . '"', $html, "$name's face" );
		}
		$this->assertStringNotContainsString( 'data-user-id="' . $this->u['shy'] . '"', $html );
		$this->assertStringNotContainsString( 'User shy', $html );

		$this->assertArrayHasKey( 'wp_presence_online', wp_presence_ui_network_sites_columns( array() ) );
		ob_start();
		wp_presence_ui_network_sites_column( 'wp_presence_online', $this->blogs[0] );
		$this->assertStringContainsString( 'data-online="2"', ob_get_clean() );
		ob_start();
		wp_presence_ui_network_sites_column( 'wp_presence_online', $this->blogs[1] );
		$this->assertStringContainsString( 'data-online="0"', ob_get_clean() );

		set_current_screen( 'users-network' );
		$this->assertArrayHasKey( 'wp_presence_online', wp_presence_ui_network_users_columns( array() ) );
		$cell = wp_presence_ui_network_users_column( '', 'wp_presence_online', $this->u['a'] );
		$this->assertStringContainsString( 'data-online-sites="' . $this->blogs[0] . '"', $cell );
		$this->assertStringNotContainsString( 'data-online-sites', wp_presence_ui_network_users_column( '', 'wp_presence_online', $this->u['shy'] ), 'the invisible user is offline' );
		set_current_screen( 'front' );

		// Nobody online.
		$this->assertStringContainsString( 'Nobody is online on the network', wp_presence_ui_network_widget_html( array( 'sites' => array(), 'total' => 0, 'users_online' => 0, 'aggregating' => true ) ) );
	}

	public function test_cli_network() {
		wp_set_current_user( 0 ); // The operator.
		$out = $this->cli( 'network', array(), array( 'format' => 'json' ) );
		$this->assertSame( array( array( 'users_online' => 3, 'sites_online' => 2, 'aggregating' => 'yes' ) ), $out[0][1] );
		$out = $this->cli( 'network', array(), array( 'sites' => true, 'format' => 'json' ) );
		$this->assertSame( array( $this->blogs[0], get_main_site_id() ), wp_list_pluck( $out[0][1], 'blog_id' ) );
		$this->assertSame( 2, $out[0][1][0]['user_count'] );
		$out = $this->cli( 'network', array(), array( 'site' => (string) $this->blogs[0], 'format' => 'json' ) );
		$ab  = array( $this->u['a'], $this->u['b'] );
		sort( $ab );
		$ids = wp_list_pluck( $out[0][1], 'user_id' );
		sort( $ids );
		$this->assertSame( $ab, $ids );
		$this->assertSame( 'error', $this->cli( 'network', array(), array( 'site' => 'abc' ) )[0] );
		$this->assertSame( 'error', $this->cli( 'network', array(), array( 'site' => '99999999' ) )[0] );
		$this->assertSame( 'error', $this->cli( 'network', array(), array( 'sites' => true, 'users-per-site' => '-1' ) )[0] );
		wp_set_current_user( $this->make_user( 'administrator' ) ); // --user without the network capability.
		$this->assertSame( 'error', $this->cli( 'network', array(), array() )[0] );
	}
}
