<?php
/**
 * Threat: invisible users can be detected (issue 8, hole 3).
 *
 * @package Presence
 */

require_once dirname( __DIR__, 2 ) . '/includes/class-presence-security-testcase.php';

/**
 * To everyone but the user, an invisible user's entries do not exist: no output path, status
 * code, body, count, room list, room version or active-posts version tells a hidden user from
 * an absent one, for any role, administrators included.
 */
class SecurityInvisibleUsersTest extends Presence_Security_TestCase {

	/**
	 * A visible editor active on the dashboard, in a public post and in a free room.
	 *
	 * @return array v (visible user), post (public post), rooms (to observe).
	 */
	private function scene() {
		$v    = $this->make_user( 'editor' );
		$post = $this->make_post( $v, array( 'post_title' => 'Public' ) );
		$this->heartbeat( $v, $this->ping( 'tabvisible1' ) );
		$this->heartbeat( $v, $this->ping( 'tabvisible2', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		wp_set_presence( 'chat/general', 'v-client', array( 'typing' => false ), $v );
		return array(
			'v'     => $v,
			'post'  => $post,
			'rooms' => array( 'admin/online', wp_presence_post_room( $post ), 'chat/general', 'chat/hidden-only' ),
		);
	}

	/**
	 * A hidden user active on every write path: Heartbeat (both protocols, dashboard and edit
	 * screens, a post only they edit), the post-lock bridge, login, REST POST, wp_set_presence()
	 * and WP-CLI.
	 *
	 * @param int $h    Hidden user.
	 * @param int $post The public post.
	 * @return int The hidden user's own draft (a post room only they are in).
	 */
	private function hidden_activity( $h, $post ) {
		$draft = $this->make_post( $h, array( 'post_status' => 'draft', 'post_title' => 'Hidden draft' ) );
		$this->heartbeat( $h, $this->ping( 'tabhidden01' ) );
		$this->heartbeat( $h, $this->ping( 'tabhidden02', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $h, $this->ping( 'tabhidden03', array( 'screen' => 'post', 'post_id' => $draft, 'activity' => 'idle' ) ), 'post' );
		$this->heartbeat(
			$h,
			array(
				'presence-ping'        => array( 'screen' => 'post', 'post_id' => $post ),
				'presence-editor-ping' => array( 'post_id' => $post ),
			),
			'post'
		);
		$this->heartbeat( $h, array( 'wp-refresh-post-lock' => array( 'post_id' => $draft ) ), 'post' );
		do_action( 'wp_login', get_userdata( $h )->user_login, get_userdata( $h ) );
		wp_set_current_user( $h );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'h-rest', 'data' => array( 'screen' => 'dashboard' ) ) )->get_status() );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'chat/hidden-only', 'client_id' => 'h-chat', 'data' => array( 'typing' => true ) ) )->get_status() );
		$this->assertTrue( wp_set_presence( 'chat/general', 'h-set', array( 'typing' => true ), $h ) );
		$this->cli( 'set', array( 'chat/general', 'h-cli' ), array( 'user' => $h ) );
		return $draft;
	}

	/**
	 * The hidden user still sees themself, as invisible, with every entry they wrote.
	 *
	 * @param int $h Hidden user.
	 * @return void
	 */
	private function assert_self_view( $h ) {
		wp_set_current_user( $h );
		$this->assertSame( 'invisible', wp_get_user_presence_status( $h ) );
		$rows = wp_list_filter( wp_presence_online_users(), array( 'user_id' => $h ) );
		$this->assertSame( array( 'invisible' ), array_values( wp_list_pluck( $rows, 'status' ) ), 'their own row' );
		$mine = wp_list_pluck( $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'chat/general' ) )->get_data(), 'client_id' );
		$this->assertContains( 'h-set', $mine );
		$this->assertContains( 'h-cli', $mine );
		$this->assertSame( array( 'h-chat' ), wp_list_pluck( wp_get_presence( 'chat/hidden-only' ), 'client_id' ) );
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_hidden_activity_changes_nothing_any_viewer_can_observe( $role ) {
		$scene = $this->scene();
		$h     = $this->make_user( 'editor', array( 'display_name' => 'Hidden Harriet' ) );
		$this->assertTrue( wp_set_user_presence_preference( $h, 'invisible' ) );
		$viewer = $this->viewer( $role );

		$this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h, $scene['v'] ) ); // Writes the viewer's own entries once.
		$before = $this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h, $scene['v'] ) );
		$this->hidden_activity( $h, $scene['post'] );
		$after = $this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h, $scene['v'] ) );

		$this->assertSame( $before, $after, "$role: every output, version and count as before the hidden user's activity" );
		$this->assertNotMentioned( $h, $after, $role );
		if ( '' !== $role && 'subscriber' !== $role ) {
			$this->assertContains( $scene['v'], $this->ids( wp_presence_online_users() ), "$role sees the visible user" );
		}
		$this->assert_self_view( $h );
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_turning_invisible_hides_at_once_and_back_shows_at_once( $role ) {
		$scene  = $this->scene();
		$h      = $this->make_user( 'editor', array( 'display_name' => 'Hidden Harriet' ) );
		$viewer = $this->viewer( $role );
		$this->heartbeat( $h, $this->ping( 'tabturn0001' ) );
		$this->heartbeat( $h, $this->ping( 'tabturn0002', array( 'screen' => 'post', 'post_id' => $scene['post'] ) ), 'post' );
		$sees = '' !== $role && 'subscriber' !== $role;
		wp_set_current_user( $viewer );
		$this->assertSame( $sees, in_array( $h, $this->ids( wp_presence_online_users() ), true ), "$role: visible first" );

		$this->assertTrue( wp_set_user_presence_preference( $h, 'invisible' ) );
		$this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h ) );
		$hidden = $this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h ) );
		$this->assertNotMentioned( $h, $hidden, "$role, once invisible" );
		$this->heartbeat( $h, $this->ping( 'tabturn0001', array( 'activity' => 'away' ) ) );
		$this->heartbeat( $h, $this->ping( 'tabturn0003' ) );
		$this->assertSame( $hidden, $this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h ) ), "$role: hidden activity after the switch" );

		$this->assertTrue( wp_set_user_presence_preference( $h, '' ) );
		wp_set_current_user( $viewer );
		WP_Presence_Testing::reset_caches();
		$this->assertSame( $sees, in_array( $h, $this->ids( wp_presence_online_users() ), true ), "$role: visible again at once" );
		$this->assertSame( $sees ? 'online' : 'offline', wp_get_user_presence_status( $h ) );
		$can_edit = user_can( $viewer, 'edit_post', $scene['post'] );
		$this->assertSame( $can_edit, in_array( $h, $this->ids( wp_presence_post_editors( $scene['post'] ) ), true ), "$role: back among the post's editors" );
		wp_set_current_user( $h );
		$this->assertCount( 4, wp_presence_store()->user_entries( $h ), 'all four entries came back to the site namespace' );
	}

	/**
	 * @dataProvider roles
	 *
	 * @param string $role Viewer's role.
	 */
	public function test_guessed_client_ids_answer_as_for_an_absent_user( $role ) {
		$scene  = $this->scene();
		$room   = wp_presence_post_room( $scene['post'] );
		$h      = $this->make_user( 'editor' );
		$absent = $this->make_user( 'editor' );
		$viewer = $this->viewer( $role );
		// Visible first, so its tab ids could have been seen; then hidden.
		$this->heartbeat( $h, $this->ping( 'tabseen0001' ) );
		$this->heartbeat( $h, $this->ping( 'tabseen0002', array( 'screen' => 'post', 'post_id' => $scene['post'] ) ), 'post' );
		$this->heartbeat( $h, array( 'presence-ping' => array( 'screen' => 'dashboard' ), 'presence-editor-ping' => array( 'post_id' => $scene['post'] ) ), 'post' );
		$this->heartbeat( $h, array( 'wp-refresh-post-lock' => array( 'post_id' => $scene['post'] ) ), 'post' );
		$this->assertTrue( wp_set_user_presence_preference( $h, 'invisible' ) );
		$stored = wp_presence_in_hidden(
			static function ( WP_Presence_Store $s ) use ( $h ) {
				return $s->user_entries( $h );
			}
		);
		$this->assertCount( 6, $stored );

		$guesses = array(
			array( 'admin/online', 'user-%d' ),
			array( 'admin/online', 'tab-%d-tabseen0001' ),
			array( $room, 'editor-%d' ),
			array( $room, 'lock-%d' ),
			array( $room, 'editor-%d-tabseen0002' ),
		);
		wp_set_current_user( $viewer );
		foreach ( array( 'DELETE', 'POST' ) as $method ) {
			foreach ( $guesses as $guess ) {
				$answers = array();
				foreach ( array( 'hidden' => $h, 'absent' => $absent ) as $who => $uid ) {
					$recorder = $this->start_recording();
					$params   = array( 'room' => $guess[0], 'client_id' => sprintf( $guess[1], $uid ) );
					if ( 'POST' === $method ) {
						$params['data'] = array( 'screen' => 'dashboard' );
					}
					$r               = $this->rest( $method, '/wp-presence/v1/presence', $params );
					$answers[ $who ] = self::anonymous(
						array(
							'status' => $r->get_status(),
							'body'   => self::timeless( json_decode( wp_json_encode( $r->get_data() ), true ) ),
							'store'  => $recorder->calls,
						),
						$uid
					);
					$this->stop_recording();
				}
				$this->assertSame( $answers['absent'], $answers['hidden'], "$role: $method {$guess[0]} {$guess[1]}: status, body and the store's work as for an absent user" );
			}
		}

		$after = wp_presence_in_hidden(
			static function ( WP_Presence_Store $s ) use ( $h ) {
				return $s->user_entries( $h );
			}
		);
		$this->assertSame( self::timeless( $stored ), self::timeless( $after ), 'the hidden entries are untouched' );
	}

	public function test_site_namespace_versions_and_counts_never_see_hidden_activity() {
		$scene  = $this->scene();
		$h      = $this->make_user( 'editor' );
		$viewer = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $h, 'invisible' );
		$store  = wp_presence_store();
		$before = array(
			'versions'     => array_map( array( $store, 'room_version' ), $scene['rooms'] ),
			'rooms'        => self::timeless( $store->rooms( '' ) ),
			'user_entries' => $store->user_entries( $h ),
		);
		wp_set_current_user( $viewer );
		$posts_version = wp_presence_active_posts_version();
		$draft         = $this->hidden_activity( $h, $scene['post'] );
		$after         = array(
			'versions'     => array_map( array( $store, 'room_version' ), $scene['rooms'] ),
			'rooms'        => self::timeless( $store->rooms( '' ) ),
			'user_entries' => $store->user_entries( $h ),
		);
		$this->assertSame( $before, $after, 'the site namespace is what every output reads: unchanged' );
		$this->assertSame( 0, $store->room_version( wp_presence_post_room( $draft ) ), 'a room only a hidden user is in does not exist' );
		wp_set_current_user( $viewer );
		$this->assertSame( $posts_version, wp_presence_active_posts_version() );
		$this->assertSame( 'offline', wp_get_user_presence_status( $h ) );
	}

	public function test_force_invisible_filter_moves_entries_with_the_next_write() {
		$scene  = $this->scene();
		$h      = $this->make_user( 'editor' );
		$viewer = $this->make_user( 'editor' );
		$this->heartbeat( $h, $this->ping( 'tabforce001' ) );
		$this->add_test_filter(
			'wp_presence_force_invisible',
			static function ( $invisible, $user_id ) use ( $h ) {
				return $user_id === $h ? true : $invisible;
			},
			10,
			2
		);
		wp_set_current_user( $viewer );
		$this->assertNotContains( $h, $this->ids( wp_presence_online_users() ), 'hidden from lists at once' );
		$this->heartbeat( $h, $this->ping( 'tabforce002' ) );
		$this->assertSame( array(), wp_presence_store()->user_entries( $h ), 'moved out of the site namespace by the next write' );
		$this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h ) );
		$seen = $this->observe( $viewer, $scene['rooms'], $scene['post'], array( $h ) );
		$this->assertNotMentioned( $h, $seen, 'forced invisible' );
		wp_set_current_user( $h );
		$this->assertSame( 'invisible', wp_get_user_presence_status( $h ) );
	}

	public function test_invisible_on_every_site_of_a_network() {
		if ( ! is_multisite() ) {
			$this->markTestSkipped( 'Multisite pass only.' );
		}
		$blog  = (int) wp_insert_site(
			array(
				'domain' => get_network()->domain,
				'path'   => '/hidden' . wp_rand( 1000, 999999 ) . '/',
				'title'  => 'Second',
			)
		);
		$h     = $this->make_user( 'editor' );
		$other = $this->make_user( 'editor' );
		$super = $this->viewer( 'super admin' );
		foreach ( array( $h, $other ) as $uid ) {
			add_user_to_blog( $blog, $uid, 'editor' );
		}
		$this->heartbeat( $h, $this->ping( 'tabnet00001' ) );
		$this->heartbeat( $other, $this->ping( 'tabnet00002' ) );
		switch_to_blog( $blog );
		$this->heartbeat( $h, $this->ping( 'tabnet00003' ) );
		$this->heartbeat( $other, $this->ping( 'tabnet00004' ) );
		restore_current_blog();

		$this->assertTrue( wp_set_user_presence_preference( $h, 'invisible' ) ); // Set on the main site.
		wp_set_current_user( $super );
		$this->assertSame( array( $other ), $this->ids( wp_presence_network_online_users() ), 'hidden on every site at once' );
		$summary = array_column( wp_presence_network_summary(), 'users', 'blog_id' );
		$this->assertSame( 1, $summary[ get_main_site_id() ], 'not counted on the main site' );
		$this->assertSame( 1, $summary[ $blog ], 'nor on the second' );
		switch_to_blog( $blog );
		$this->assertSame( array(), wp_presence_store()->user_entries( $h ), 'moved on the second site too' );
		wp_set_current_user( $other );
		$this->assertSame( array( $other ), $this->ids( wp_presence_online_users() ) );
		wp_presence_clear_site();
		restore_current_blog();
	}

	/**
	 * An answer with a user's id replaced (client ids, and the JSON of store calls).
	 *
	 * @param array $answer Answer.
	 * @param int   $uid    User id.
	 * @return array
	 */
	private static function anonymous( array $answer, $uid ) {
		return json_decode( (string) preg_replace( '/\b(user|tab|editor|lock)-' . (int) $uid . '\b/', '$1-U', wp_json_encode( $answer ) ), true );
	}
}
