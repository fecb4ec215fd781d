<?php
/**
 * Issue 8 hole 9: spam, "log out everywhere", removal from a site, deletion and logout end the
 * user's presence on every site concerned; destroying the other sessions keeps this tab's.
 *
 * @package Presence
 */

/**
 * On single site and (in the multisite pass) across two sites of a network, on every backend.
 */
class LifecycleSecurityTest extends Presence_TestCase {

	/**
	 * Second site of the network (0 on a single site).
	 *
	 * @var int
	 */
	private static $blog = 0;

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		require_once ABSPATH . 'wp-admin/includes/ajax-actions.php'; // wp_ajax_destroy_sessions(), the profile button.
		if ( is_multisite() ) {
			self::$blog = (int) wp_insert_site(
				array(
					'domain' => get_network()->domain,
					'path'   => '/lifecycle' . wp_rand( 1000, 999999 ) . '/',
					'title'  => 'Lifecycle',
				)
			);
		}
	}

	public static function tearDownAfterClass(): void {
		if ( self::$blog ) {
			wp_delete_site( self::$blog );
			self::$blog = 0;
		}
		parent::tearDownAfterClass();
	}

	protected function tearDown(): void {
		unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
		if ( self::$blog ) {
			switch_to_blog( self::$blog );
			WP_Presence_Testing::reset();
			restore_current_blog();
		}
		parent::tearDown();
	}

	/**
	 * The sites of the test: this one, and the second site on a network.
	 *
	 * @return int[]
	 */
	private function blogs() {
		return array_filter( array( get_current_blog_id(), self::$blog ) );
	}

	/**
	 * An editor of every site of the test.
	 *
	 * @return int
	 */
	private function member() {
		$id = $this->make_user( 'editor' );
		if ( self::$blog ) {
			add_user_to_blog( self::$blog, $id, 'editor' );
		}
		return $id;
	}

	/**
	 * Logs a user in with a new session, as the browser of that session (its cookie).
	 *
	 * @param int $user_id User id.
	 * @return string The session token.
	 */
	private function log_in( $user_id ) {
		$token = WP_Session_Tokens::get_instance( $user_id )->create( time() + HOUR_IN_SECONDS );
		$this->as_session( $user_id, $token );
		return $token;
	}

	/**
	 * Acts as the browser holding a session.
	 *
	 * @param int    $user_id User id.
	 * @param string $token   Session token.
	 * @return void
	 */
	private function as_session( $user_id, $token ) {
		$_COOKIE[ LOGGED_IN_COOKIE ] = wp_generate_auth_cookie( $user_id, time() + HOUR_IN_SECONDS, 'logged_in', $token );
		wp_set_current_user( 0 );
		wp_set_current_user( $user_id );
	}

	/**
	 * The current user's tab on every site of the test (dashboard ticks; on the first site also
	 * an editor entry in a post's room).
	 *
	 * @param string $tab  Tab id prefix (8+ characters with the blog id).
	 * @param int    $post Post on the first site, or 0.
	 * @return void
	 */
	private function tab_everywhere( $tab, $post = 0 ) {
		$user = get_current_user_id();
		foreach ( $this->blogs() as $i => $blog_id ) {
			$switch = get_current_blog_id() !== $blog_id;
			if ( $switch ) {
				switch_to_blog( $blog_id );
			}
			$extra = 0 === $i && $post ? array( 'screen' => 'post', 'post_id' => $post ) : array();
			$reply = $this->heartbeat( $user, $this->ping( $this->tab( $tab, $blog_id ), $extra ), $extra ? 'post' : 'dashboard' );
			$this->assertArrayHasKey( 'wp-presence', $reply );
			if ( $switch ) {
				restore_current_blog();
			}
		}
	}

	/**
	 * The tab id a browser uses on a site.
	 *
	 * @param string $tab     Prefix.
	 * @param int    $blog_id Blog id.
	 * @return string
	 */
	private function tab( $tab, $blog_id ) {
		return $tab . sprintf( '%03d', $blog_id );
	}

	/**
	 * A user's client ids on a site.
	 *
	 * @param int $user_id User id.
	 * @param int $blog_id Blog id.
	 * @return string[] Sorted "room client_id".
	 */
	private function entries( $user_id, $blog_id ) {
		$switch = get_current_blog_id() !== $blog_id;
		if ( $switch ) {
			switch_to_blog( $blog_id );
		}
		$out = array();
		// Both namespaces of the site: an invisible user's entries live in the hidden one.
		foreach ( wp_presence_site_namespaces() as $ns ) {
			foreach ( wp_presence_in_namespace( $ns, static fn( $store ) => $store->user_entries( $user_id ) ) as $entry ) {
				$out[] = $entry['room'] . ' ' . $entry['client_id'];
			}
		}
		if ( $switch ) {
			restore_current_blog();
		}
		sort( $out );
		return $out;
	}

	/**
	 * Asserts a user has no presence on any site of the test.
	 *
	 * @param int    $user_id User id.
	 * @param string $why     Message.
	 * @return void
	 */
	private function assertGone( $user_id, $why ) {
		foreach ( $this->blogs() as $blog_id ) {
			$this->assertSame( array(), $this->entries( $user_id, $blog_id ), "$why (site $blog_id)" );
		}
	}

	/**
	 * Asserts a user has presence on every site of the test.
	 *
	 * @param int $user_id User id.
	 * @return void
	 */
	private function assertEverywhere( $user_id ) {
		foreach ( $this->blogs() as $blog_id ) {
			$this->assertNotSame( array(), $this->entries( $user_id, $blog_id ), "present on site $blog_id" );
		}
	}

	/**
	 * A user with two browsers (sessions) on every site, an entry written without a session
	 * (wp_set_presence() from other code), and a bystander.
	 *
	 * @return array a, s1, s2, post, bystander.
	 */
	private function two_browsers() {
		$a    = $this->member();
		$post = $this->make_post( $a );
		$s1   = $this->log_in( $a );
		$this->tab_everywhere( 'tabone', $post );
		$s2 = $this->log_in( $a );
		$this->tab_everywhere( 'tabtwo', $post );
		wp_set_presence( 'admin/online', 'api-' . $a, array( 'from' => 'another plugin' ), $a );
		unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
		$b = $this->member();
		$this->log_in( $b );
		$this->tab_everywhere( 'tabbys' );
		unset( $_COOKIE[ LOGGED_IN_COOKIE ] );
		wp_set_current_user( 0 );
		return array( $a, $s1, $s2, $post, $b );
	}

	/**
	 * What "log out everywhere else" from browser 1 must leave: browser 1's tab and the entry
	 * written without a session; browser 2's tab is gone on every site.
	 *
	 * @param int $a    User.
	 * @param int $post Post.
	 * @return void
	 */
	private function assertOnlyFirstBrowserLeft( $a, $post ) {
		$first = get_current_blog_id();
		$this->assertSame(
			array(
				'admin/online api-' . $a,
				'admin/online tab-' . $a . '-' . $this->tab( 'tabone', $first ),
				'postType/post:' . $post . ' editor-' . $a . '-' . $this->tab( 'tabone', $first ),
			),
			$this->entries( $a, $first )
		);
		if ( self::$blog ) {
			$this->assertSame( array( 'admin/online tab-' . $a . '-' . $this->tab( 'tabone', self::$blog ) ), $this->entries( $a, self::$blog ) );
		}
	}

	/**
	 * The profile screen's "Log Out Everywhere" button (core's destroy-sessions Ajax action), as
	 * pressed by the current user on a user's profile.
	 *
	 * @param int $user_id The profile's user.
	 * @return void
	 */
	private function press_log_out_everywhere( $user_id ) {
		$r = $this->call_ajax(
			'wp_ajax_destroy_sessions',
			array(
				'user_id' => $user_id,
				'nonce'   => wp_create_nonce( 'update-user_' . $user_id ),
			)
		);
		$this->assertStringContainsString( '"success":true', $r['body'] );
	}

	public function test_entries_carry_their_session() {
		$a     = $this->member();
		$token = $this->log_in( $a );
		$this->tab_everywhere( 'tabtag' );
		$entry = wp_presence_store()->get( 'admin/online', 'tab-' . $a . '-' . $this->tab( 'tabtag', get_current_blog_id() ) );
		$this->assertSame( wp_presence_verifier_tag( hash( 'sha256', $token ) ), $entry['data']['_wp']['s'] );
		$this->assertStringNotContainsString( $token, wp_json_encode( $entry ), 'the token itself is never stored' );
		$this->assertStringNotContainsString( hash( 'sha256', $token ), wp_json_encode( $entry ), 'nor its verifier' );
	}

	public function test_destroying_other_sessions_keeps_this_tab() {
		list( $a, $s1, , $post, $b ) = $this->two_browsers();
		$this->as_session( $a, $s1 );
		WP_Session_Tokens::get_instance( $a )->destroy_others( $s1 );
		$this->assertOnlyFirstBrowserLeft( $a, $post );
		$this->assertEverywhere( $b );
	}

	public function test_destroying_other_sessions_of_an_invisible_user_keeps_this_tab() {
		$a = $this->member();
		wp_set_user_presence_preference( $a, 'invisible' );
		$post = $this->make_post( $a );
		$s1   = $this->log_in( $a );
		$this->tab_everywhere( 'tabone', $post );
		$this->log_in( $a );
		$this->tab_everywhere( 'tabtwo', $post );
		wp_set_presence( 'admin/online', 'api-' . $a, array( 'from' => 'another plugin' ), $a );
		$this->assertSame( array(), wp_presence_store()->user_entries( $a ), 'an invisible user writes nothing the site namespace holds' );
		$this->as_session( $a, $s1 );
		WP_Session_Tokens::get_instance( $a )->destroy_others( $s1 );
		$this->assertOnlyFirstBrowserLeft( $a, $post );
		WP_Session_Tokens::destroy_all_for_all_users();
		$this->assertGone( $a, 'destroy_all_for_all_users() clears the hidden namespace too' );
	}

	public function test_profile_button_log_out_everywhere_else() {
		list( $a, $s1, , $post, $b ) = $this->two_browsers();
		$this->as_session( $a, $s1 );
		$this->press_log_out_everywhere( $a );
		$this->assertOnlyFirstBrowserLeft( $a, $post );
		$this->assertEverywhere( $b );
	}

	public function test_profile_button_for_another_user_logs_them_out_everywhere() {
		list( $a, , , , $b ) = $this->two_browsers();
		$admin = $this->make_user( 'administrator' );
		if ( is_multisite() ) {
			grant_super_admin( $admin );
		}
		$this->log_in( $admin );
		$this->press_log_out_everywhere( $a );
		$this->assertGone( $a, 'every browser and the session-less entry' );
		$this->assertEverywhere( $b );
	}

	public function test_destroy_all_sessions() {
		list( $a, $s1, , , $b ) = $this->two_browsers();
		$this->as_session( $a, $s1 );
		wp_destroy_all_sessions();
		$this->assertGone( $a, 'wp_destroy_all_sessions()' );
		$this->assertEverywhere( $b );

		list( $c, , , , ) = $this->two_browsers();
		WP_Session_Tokens::get_instance( $c )->destroy_all();
		$this->assertGone( $c, 'destroy_all()' );
	}

	public function test_destroying_every_users_sessions_clears_every_site() {
		list( $a, , , , $b ) = $this->two_browsers();
		WP_Session_Tokens::destroy_all_for_all_users();
		$this->assertGone( $a, 'destroy_all_for_all_users()' );
		$this->assertGone( $b, 'destroy_all_for_all_users()' );
	}

	public function test_a_new_login_keeps_the_other_sessions() {
		list( $a, , , $post, ) = $this->two_browsers();
		$before = array();
		foreach ( $this->blogs() as $blog_id ) {
			$before[ $blog_id ] = $this->entries( $a, $blog_id );
		}
		$this->log_in( $a ); // A third browser.
		foreach ( $this->blogs() as $blog_id ) {
			$this->assertSame( $before[ $blog_id ], $this->entries( $a, $blog_id ) );
		}
		unset( $post );
	}

	public function test_logout_clears_every_site() {
		list( $a, $s1, , , $b ) = $this->two_browsers();
		$this->as_session( $a, $s1 );
		$this->add_test_filter( 'send_auth_cookies', '__return_false' ); // No headers from the CLI.
		wp_logout();
		$this->assertGone( $a, 'wp_logout()' );
		$this->assertEverywhere( $b );
	}

	public function test_logout_of_a_super_admin_clears_sites_they_are_no_member_of() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass: super admins.' );
		}
		$super = $this->make_user( 'administrator' );
		grant_super_admin( $super );
		$this->assertArrayNotHasKey( self::$blog, get_blogs_of_user( $super ) );
		$token = $this->log_in( $super );
		$this->tab_everywhere( 'tabsup' );
		$this->assertEverywhere( $super );
		$this->as_session( $super, $token );
		do_action( 'wp_logout', $super );
		$this->assertGone( $super, 'logout of a super admin' );
	}

	public function test_removal_from_a_site_clears_only_that_site() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass: removal from one site of a network.' );
		}
		list( $a, , , , $b ) = $this->two_browsers();
		remove_user_from_blog( $a, self::$blog );
		$this->assertSame( array(), $this->entries( $a, self::$blog ) );
		$this->assertNotSame( array(), $this->entries( $a, get_current_blog_id() ), 'kept on the site the user still belongs to' );
		$this->assertEverywhere( $b );
	}

	public function test_deletion_clears_every_site() {
		list( $a, , , , $b ) = $this->two_browsers();
		if ( is_multisite() ) {
			wpmu_delete_user( $a );
		} else {
			wp_delete_user( $a );
		}
		$this->assertGone( $a, 'deleted user' );
		$this->assertEverywhere( $b );
	}

	/**
	 * @return array[]
	 */
	public function spam_paths() {
		return array(
			'wp_update_user()'     => array( 'wp_update_user' ),
			'update_user_status()' => array( 'update_user_status' ),
		);
	}

	/**
	 * @dataProvider spam_paths
	 *
	 * @param string $path How the user is marked.
	 */
	public function test_spam_clears_every_site_and_refuses_new_presence( $path ) {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Marking a user as spam exists on multisite only (wp_insert_user() refuses it on a single site).' );
		}
		list( $a, $s1, , , $b ) = $this->two_browsers();
		if ( 'wp_update_user' === $path ) {
			$this->assertSame(
				$a,
				wp_update_user(
					array(
						'ID'   => $a,
						'spam' => '1',
					)
				)
			);
		} else {
			$this->add_test_filter( 'deprecated_function_trigger_error', '__return_false' );
			update_user_status( $a, 'spam', 1 );
		}
		$this->assertTrue( is_user_spammy( get_userdata( $a ) ) );
		$this->assertGone( $a, "spam via $path" );
		$this->assertEverywhere( $b );

		// Core keeps the spammer's cookie valid: the next tick must not bring them back.
		$this->as_session( $a, $s1 );
		$this->assertSame( $a, get_current_user_id() );
		$this->tab_everywhere( 'tabspam' );
		$this->assertGone( $a, 'a spammer writes no presence' );
		$this->assertFalse( wp_can_access_presence_room( 'admin/online', $a ) );
	}
}
