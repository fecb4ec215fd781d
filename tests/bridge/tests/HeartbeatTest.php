<?php
/**
 * Heartbeat: the wp-presence protocol, the old protocol and the post-lock bridge.
 *
 * @package Presence
 */

/**
 * CONTRACT.md §3 and ANCHOR.md.
 */
class HeartbeatTest extends Presence_TestCase {

	public function test_ping_writes_tab_entry_with_150s_ttl_and_replies() {
		$a     = $this->make_user( 'editor' );
		$reply = $this->heartbeat( $a, $this->ping( 'k3j9x2ab' ) )['wp-presence'];
		$entry = wp_presence_store()->get( 'admin/online', 'tab-' . $a . '-k3j9x2ab' );
		$this->assertNotNull( $entry );
		$this->assertSame( 150, $entry['expires'] - $entry['updated'] );
		$this->assertSame( 'dashboard', $entry['data']['screen'] );
		$this->assertSame( 'online', $entry['data']['activity'] );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{16}$/', $reply['ack'] );
		$this->assertSame( array( 'status' => 'online', 'preference' => '' ), $reply['self'] );
		$this->assertArrayHasKey( 'admin/online', $reply['rooms'] );
		$this->assertSame( wp_presence_store()->room_version( 'admin/online' ), $reply['rooms']['admin/online']['version'] );
		$this->assertSame( array( $a ), $this->ids( $reply['rooms']['admin/online']['users'] ) );
	}

	public function test_invalid_tab_is_ignored() {
		$a = $this->make_user( 'editor' );
		foreach ( array( 'short', 'UPPERCASE1', 'has-dash-1', str_repeat( 'a', 17 ) ) as $tab ) {
			$response = $this->heartbeat( $a, $this->ping( $tab ) );
			$this->assertArrayNotHasKey( 'wp-presence', $response, $tab );
		}
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
	}

	public function test_unfocused_tab_every_120s_never_drops() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$ack = '';
		for ( $i = 0; $i < 4; $i++ ) {
			$ack = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $ack ) ) )['wp-presence']['ack'];
			WP_Presence_Testing::advance( 120 );
			wp_set_current_user( $b );
			$this->assertSame( array( $a ), $this->ids( wp_presence_online_users() ), "tick $i" );
		}
		WP_Presence_Testing::advance( 31 );
		$this->assertSame( array(), wp_presence_online_users(), 'gone 150 s after the last tick' );
	}

	public function test_unchanged_state_with_ack_skips_the_write_until_half_ttl() {
		$a     = $this->make_user( 'editor' );
		$store = wp_presence_store();
		$ack   = $this->heartbeat( $a, $this->ping( 'tabaaaa1' ) )['wp-presence']['ack'];
		$t0    = $store->get( 'admin/online', 'tab-' . $a . '-tabaaaa1' )['updated'];

		WP_Presence_Testing::advance( 60 );
		$ack2 = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $ack ) ) )['wp-presence']['ack'];
		$this->assertSame( $ack, $ack2 );
		$this->assertSame( $t0, $store->get( 'admin/online', 'tab-' . $a . '-tabaaaa1' )['updated'], 'no write' );

		// Without the ack the server cannot know the client is current: it writes.
		WP_Presence_Testing::advance( 1 );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		$t1 = $store->get( 'admin/online', 'tab-' . $a . '-tabaaaa1' )['updated'];
		$this->assertGreaterThan( $t0, $t1 );

		// Keepalive once the entry is older than half its TTL (75 s).
		WP_Presence_Testing::advance( 76 );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $ack ) ) );
		$this->assertGreaterThan( $t1, $store->get( 'admin/online', 'tab-' . $a . '-tabaaaa1' )['updated'], 'keepalive' );
	}

	public function test_changed_activity_writes_and_changes_ack_and_version() {
		$a     = $this->make_user( 'editor' );
		$r1    = $this->heartbeat( $a, $this->ping( 'tabaaaa1' ) )['wp-presence'];
		$r2    = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $r1['ack'], 'activity' => 'away' ) ) )['wp-presence'];
		$this->assertNotSame( $r1['ack'], $r2['ack'] );
		$this->assertNotSame( $r1['rooms']['admin/online']['version'], $r2['rooms']['admin/online']['version'] );
		$this->assertSame( 'away', $r2['self']['status'] );
	}

	public function test_unchanged_rooms_are_omitted() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$r1   = $this->heartbeat( $a, $this->ping( 'tabaaaa1' ) )['wp-presence'];
		$seen = array( 'admin/online' => $r1['rooms']['admin/online']['version'], 'active_posts' => $r1['active_posts']['version'] );
		$r2   = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $r1['ack'], 'seen' => $seen ) ) )['wp-presence'];
		$this->assertSame( array(), $r2['rooms'], 'nothing changed' );
		$this->assertArrayNotHasKey( 'active_posts', $r2 );

		$this->heartbeat( $b, $this->ping( 'tabbbbb1' ) );
		$r3 = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'ack' => $r1['ack'], 'seen' => $seen ) ) )['wp-presence'];
		$this->assertArrayHasKey( 'admin/online', $r3['rooms'], 'b arrived' );
		$this->assertSame( array( $a, $b ), $this->ids( $r3['rooms']['admin/online']['users'] ) );
	}

	public function test_editor_screen_writes_post_room_and_leaving_removes_it() {
		$a     = $this->make_user( 'editor' );
		$post  = $this->make_post( $a );
		$room  = wp_presence_post_room( $post );
		$reply = $this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' )['wp-presence'];
		$this->assertNotNull( wp_presence_store()->get( $room, 'editor-' . $a . '-tabaaaa1' ) );
		$this->assertArrayHasKey( $room, $reply['rooms'] );
		$this->assertArrayNotHasKey( 'active_posts', $reply, 'active posts only on the dashboard' );
		$this->assertSame( $post, $reply['rooms']['admin/online']['users'][0]['post_id'] );

		// Same tab navigates to the dashboard: its editor entry goes at once.
		$reply = $this->heartbeat( $a, $this->ping( 'tabaaaa1' ) )['wp-presence'];
		$this->assertNull( wp_presence_store()->get( $room, 'editor-' . $a . '-tabaaaa1' ) );
		$this->assertSame( array(), $reply['active_posts']['posts'] );
	}

	public function test_post_the_user_cannot_edit_is_not_joined() {
		$ed     = $this->make_user( 'editor' );
		$author = $this->make_user( 'author' );
		$post   = $this->make_post( $ed );
		$reply  = $this->heartbeat( $author, $this->ping( 'tabaaaa1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' )['wp-presence'];
		$this->assertSame( array(), wp_get_presence( wp_presence_post_room( $post ) ) );
		$this->assertSame( array( 'admin/online' ), array_keys( $reply['rooms'] ) );
		$this->assertArrayNotHasKey( 'post_id', wp_presence_store()->get( 'admin/online', 'tab-' . $author . '-tabaaaa1' )['data'] );
	}

	public function test_dashboard_active_posts() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$post = $this->make_post( $a, array( 'post_title' => 'Hello' ) );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa2', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$reply = $this->heartbeat( $b, $this->ping( 'tabbbbb1' ) )['wp-presence'];
		$posts = $reply['active_posts']['posts'];
		$this->assertCount( 1, $posts );
		$this->assertSame( 'Hello', $posts[0]['title'] );
		$this->assertCount( 1, $posts[0]['editors'], 'two tabs of one user count once' );
		$version = $reply['active_posts']['version'];
		$reply2  = $this->heartbeat( $b, $this->ping( 'tabbbbb1', array( 'seen' => array( 'active_posts' => $version ) ) ) )['wp-presence'];
		$this->assertArrayNotHasKey( 'active_posts', $reply2 );
	}

	public function test_subscriber_gets_no_rooms_and_writes_nothing() {
		$s     = $this->make_user( 'subscriber' );
		$reply = $this->heartbeat( $s, $this->ping( 'tabsssss1' ), 'profile' )['wp-presence'];
		$this->assertSame( array(), $reply['rooms'] );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
	}

	public function test_logged_out_gets_nothing() {
		$response = $this->heartbeat( 0, $this->ping( 'tabsssss1' ) );
		$this->assertArrayNotHasKey( 'wp-presence', $response );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
	}

	public function test_old_protocol_ping_and_online_reply() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $b, array( 'presence-ping' => array( 'screen' => 'edit-post' ) ), 'edit-post' );
		$response = $this->heartbeat(
			$a,
			array(
				'presence-ping'        => array( 'screen' => 'post', 'post_id' => $post ),
				'presence-editor-ping' => array( 'post_id' => $post ),
			),
			'post'
		);
		$entry = wp_presence_store()->get( 'admin/online', 'user-' . $a );
		$this->assertNotNull( $entry );
		$this->assertSame( 150, $entry['expires'] - $entry['updated'] );
		$this->assertSame( 'publish', $entry['data']['post_status'] );
		$this->assertNotNull( wp_presence_store()->get( wp_presence_post_room( $post ), 'editor-' . $a ) );

		$online = $response['presence-online'];
		$this->assertSame( array( $a, $b ), $this->ids( $online ) );
		foreach ( $online as $row ) {
			foreach ( array( 'user_id', 'display_name', 'avatar_url', 'screen', 'screen_label', 'date_gmt' ) as $key ) {
				$this->assertArrayHasKey( $key, $row );
			}
			$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $row['date_gmt'] );
		}

		$response = $this->heartbeat( $b, array( 'presence-active-posts-ping' => true ), 'dashboard' );
		$posts    = $response['presence-active-posts'];
		$this->assertCount( 1, $posts );
		$this->assertSame( $post, $posts[0]['post_id'] );
		$this->assertSame( 'active', $posts[0]['editors'][0]['status'] );
	}

	public function test_old_protocol_skips_unchanged_writes() {
		$a = $this->make_user( 'editor' );
		$this->heartbeat( $a, array( 'presence-ping' => array( 'screen' => 'dashboard' ) ) );
		$t0 = wp_presence_store()->get( 'admin/online', 'user-' . $a )['updated'];
		WP_Presence_Testing::advance( 60 );
		$this->heartbeat( $a, array( 'presence-ping' => array( 'screen' => 'dashboard' ) ) );
		$this->assertSame( $t0, wp_presence_store()->get( 'admin/online', 'user-' . $a )['updated'] );
		WP_Presence_Testing::advance( 20 );
		$this->heartbeat( $a, array( 'presence-ping' => array( 'screen' => 'dashboard' ) ) );
		$this->assertGreaterThan( $t0, wp_presence_store()->get( 'admin/online', 'user-' . $a )['updated'] );
	}

	public function test_post_lock_bridge_after_core_refresh() {
		$a    = $this->make_user( 'editor' );
		$b    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$room = wp_presence_post_room( $post );
		$this->assertSame( 10, has_filter( 'heartbeat_received', 'wp_refresh_post_lock' ), 'core handler at 10' );
		$this->assertSame( 11, has_filter( 'heartbeat_received', 'wp_presence_post_lock_bridge' ) );

		$response = $this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertArrayHasKey( 'new_lock', $response['wp-refresh-post-lock'], 'core lock refreshed as usual' );
		$lock = wp_presence_store()->get( $room, 'lock-' . $a );
		$this->assertNotNull( $lock );
		$this->assertSame( $a, $lock['user_id'] );

		// b is refused by core (a holds the lock): no presence entry for b, core's dialog data intact.
		$response = $this->heartbeat( $b, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertArrayHasKey( 'lock_error', $response['wp-refresh-post-lock'] );
		$this->assertNull( wp_presence_store()->get( $room, 'lock-' . $b ) );
	}

	public function test_released_post_lock_removes_the_lock_entry() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$room = wp_presence_post_room( $post );
		$this->heartbeat( $a, array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ), 'post' );
		$this->assertNotNull( wp_presence_store()->get( $room, 'lock-' . $a ) );

		// A refreshed (live) lock keeps it.
		wp_set_post_lock( $post );
		$this->assertNotNull( wp_presence_store()->get( $room, 'lock-' . $a ) );

		// What core's wp_ajax_wp_remove_post_lock() writes when the editor is left.
		$window = apply_filters( 'wp_check_post_lock_window', 150 );
		update_post_meta( $post, '_edit_lock', ( time() - $window + 5 ) . ':' . $a );
		$this->assertNull( wp_presence_store()->get( $room, 'lock-' . $a ) );
		$this->assertFalse( wp_check_post_lock( $post ), 'core lock state untouched: released' );
	}

	public function test_hook_priorities() {
		$this->assertSame( 9, has_filter( 'heartbeat_received', 'wp_presence_heartbeat_received' ) );
		$this->assertSame( 9, has_filter( 'heartbeat_received', 'wp_presence_heartbeat_legacy' ) );
	}
}
