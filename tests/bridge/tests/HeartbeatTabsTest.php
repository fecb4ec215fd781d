<?php
/**
 * One tick per user: the leader tab's `tabs` list (includes/heartbeat-tabs.php, CONTRACT.md §3).
 *
 * @package Presence
 */

/**
 * Every tab in the list gets the checks and writes of a tab of its own.
 */
class HeartbeatTabsTest extends Presence_TestCase {

	/**
	 * A leader ping reporting other tabs.
	 *
	 * @param string $tab   Leader's tab id.
	 * @param array  $tabs  The other tabs' states.
	 * @param array  $extra Other keys of the payload.
	 * @return array
	 */
	private function leader_ping( $tab, array $tabs, array $extra = array() ) {
		return $this->ping( $tab, array_merge( array( 'tabs' => $tabs ), $extra ) );
	}

	/**
	 * Client ids of a user's entries in a room.
	 *
	 * @param string $room Room.
	 * @return string[]
	 */
	private function clients( $room ) {
		$ids = wp_list_pluck( wp_presence_store()->room( $room ), 'client_id' );
		sort( $ids );
		return $ids;
	}

	public function test_each_listed_tab_gets_its_entries_and_ack() {
		$a     = $this->make_user( 'editor' );
		$post  = $this->make_post( $a );
		$room  = wp_presence_post_room( $post );
		$reply = $this->heartbeat(
			$a,
			$this->leader_ping(
				'leadtab01',
				array(
					array( 'tab' => 'follow001', 'screen' => 'edit-post', 'activity' => 'idle' ),
					array( 'tab' => 'follow002', 'screen' => 'post', 'activity' => 'away', 'post_id' => $post ),
				)
			)
		)['wp-presence'];

		$this->assertSame( array( "tab-$a-follow001", "tab-$a-follow002", "tab-$a-leadtab01" ), $this->clients( 'admin/online' ) );
		$this->assertSame( array( "editor-$a-follow002" ), $this->clients( $room ) );
		$store = wp_presence_store();
		$f1    = $store->get( 'admin/online', "tab-$a-follow001" );
		$this->assertSame( 'edit-post', $f1['data']['screen'] );
		$this->assertSame( 'idle', $f1['data']['activity'] );
		$this->assertSame( 150, $f1['expires'] - $f1['updated'] );
		$this->assertSame( $post, $store->get( 'admin/online', "tab-$a-follow002" )['data']['post_id'] );
		$this->assertSame( array( 'follow001', 'follow002' ), array_keys( $reply['tabs'] ) );
		foreach ( $reply['tabs'] as $ack ) {
			$this->assertMatchesRegularExpression( '/^[0-9a-f]{16}$/', $ack );
		}
		$this->assertNotSame( $reply['tabs']['follow001'], $reply['tabs']['follow002'] );
		// The user is one row, as present as the most present tab (the leader's, online).
		$this->assertSame( array( $a ), $this->ids( $reply['rooms']['admin/online']['users'] ) );
		$this->assertSame( 'online', $reply['rooms']['admin/online']['users'][0]['status'] );
	}

	public function test_a_follower_ack_skips_its_write_like_a_tab_of_its_own() {
		$a       = $this->make_user( 'editor' );
		$store   = wp_presence_store();
		$follow  = array( 'tab' => 'follow001', 'screen' => 'edit-post', 'activity' => 'online' );
		$reply   = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( $follow ) ) )['wp-presence'];
		$version = $store->room_version( 'admin/online' );
		$before  = $store->get( 'admin/online', "tab-$a-follow001" )['updated'];

		WP_Presence_Testing::advance( 30 );
		$follow['ack'] = $reply['tabs']['follow001'];
		$again         = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( $follow ), array( 'ack' => $reply['ack'] ) ) )['wp-presence'];
		$this->assertSame( $reply['tabs']['follow001'], $again['tabs']['follow001'] );
		$this->assertSame( $before, $store->get( 'admin/online', "tab-$a-follow001" )['updated'], 'acked and unchanged: no write' );
		$this->assertSame( $version, $store->room_version( 'admin/online' ) );

		// Without the ack (the tab's next page) it writes again, as a refresh: no version change.
		unset( $follow['ack'] );
		$this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( $follow ), array( 'ack' => $reply['ack'] ) ) );
		$this->assertGreaterThan( $before, $store->get( 'admin/online', "tab-$a-follow001" )['updated'] );
		$this->assertSame( $version, $store->room_version( 'admin/online' ) );
	}

	public function test_a_follower_cannot_write_an_editor_entry_for_a_post_it_may_not_edit() {
		$owner = $this->make_user( 'editor' );
		$c     = $this->make_user( 'contributor' );
		$post  = $this->make_post( $owner );
		$room  = wp_presence_post_room( $post );
		$reply = $this->heartbeat( $c, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'post', 'post_id' => $post ) ) ) )['wp-presence'];
		$this->assertSame( array(), $this->clients( $room ) );
		$entry = wp_presence_store()->get( 'admin/online', "tab-$c-follow001" );
		$this->assertNotNull( $entry, 'the tab itself is online' );
		$this->assertArrayNotHasKey( 'post_id', $entry['data'] );
		$this->assertArrayHasKey( 'follow001', $reply['tabs'] );
	}

	public function test_roles_without_admin_room_access_write_nothing() {
		$subscriber = $this->make_user( 'subscriber' );
		$response   = $this->heartbeat( $subscriber, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'dashboard' ) ) ) );
		$this->assertArrayNotHasKey( 'tabs', $response['wp-presence'] );
		wp_set_current_user( 0 );
		$this->assertArrayNotHasKey( 'wp-presence', apply_filters( 'heartbeat_received', array(), $this->leader_ping( 'leadtab02', array( array( 'tab' => 'follow002' ) ) ), 'dashboard' ) );
		$this->assertSame( array(), wp_presence_store()->room( 'admin/online' ) );
	}

	public function test_hostile_items_are_left_out_and_the_rest_written() {
		$a     = $this->make_user( 'editor' );
		$items = array(
			'not-an-array',
			42,
			array( 'screen' => 'dashboard' ),                       // No tab id.
			array( 'tab' => 'FOLLOW001' ),                          // Case variant.
			array( 'tab' => ' follow01' ),                          // Whitespace.
			array( 'tab' => "follow001\n" ),                        // Trailing newline.
			array( 'tab' => 'short' ),
			array( 'tab' => str_repeat( 'a', 17 ) ),
			array( 'tab' => array( 'follow001' ) ),                 // Wrong type.
			array( 'tab' => 'leadtab01', 'screen' => 'profile' ),   // The leader's own tab.
			array( 'tab' => 'follow001', 'screen' => '<b>Scr</b> een!', 'activity' => 'sleeping', 'post_id' => 'x' ),
			array( 'tab' => 'follow001', 'screen' => 'duplicate' ), // A repeated id.
		);
		$reply = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', $items ) )['wp-presence'];
		$this->assertSame( array( 'follow001' ), array_keys( $reply['tabs'] ) );
		$this->assertSame( array( "tab-$a-follow001", "tab-$a-leadtab01" ), $this->clients( 'admin/online' ) );
		$store = wp_presence_store();
		$f     = $store->get( 'admin/online', "tab-$a-follow001" )['data'];
		$this->assertSame( 'bscrbeen', $f['screen'], 'sanitize_key()d like a tab of its own' );
		$this->assertSame( 'online', $f['activity'] );
		$this->assertArrayNotHasKey( 'post_id', $f );
		$this->assertSame( 'dashboard', $store->get( 'admin/online', "tab-$a-leadtab01" )['data']['screen'], 'the leader keeps its own state' );
	}

	public function test_a_wrongly_typed_list_is_ignored_and_the_leader_still_written() {
		$a = $this->make_user( 'editor' );
		foreach ( array( 'follow001', 7, true, array( 'tab' => 'follow001' ) ) as $i => $tabs ) {
			$reply = $this->heartbeat( $a, $this->ping( 'leadtab0' . $i, array( 'tabs' => $tabs ) ) )['wp-presence'];
			$this->assertArrayNotHasKey( 'tabs', $reply, wp_json_encode( $tabs ) );
			$this->assertNotNull( wp_presence_store()->get( 'admin/online', "tab-$a-leadtab0$i" ) );
		}
		$this->assertCount( 4, wp_presence_store()->room( 'admin/online' ) );
	}

	public function test_the_list_is_capped() {
		$a     = $this->make_user( 'editor' );
		$items = array();
		for ( $i = 0; $i < 40; $i++ ) {
			$items[] = array( 'tab' => sprintf( 'flood%04d', $i ), 'screen' => 'dashboard' );
		}
		$reply = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', $items ) )['wp-presence'];
		$this->assertCount( 16, $reply['tabs'], 'default cap' );
		$this->assertCount( 17, wp_presence_store()->room( 'admin/online' ) );

		$this->add_test_filter(
			'wp_presence_heartbeat_max_tabs',
			static function () {
				return 2;
			}
		);
		WP_Presence_Testing::reset();
		$reply = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', $items ) )['wp-presence'];
		$this->assertSame( array( 'flood0000', 'flood0001' ), array_keys( $reply['tabs'] ) );
		$this->assertCount( 3, wp_presence_store()->room( 'admin/online' ) );
	}

	public function test_a_follower_leaving_its_post_drops_its_editor_entry_at_once() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$room = wp_presence_post_room( $post );
		$this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'post', 'post_id' => $post ) ) ) );
		$this->assertSame( array( "editor-$a-follow001" ), $this->clients( $room ) );
		$this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'edit-post' ) ) ) );
		$this->assertSame( array(), $this->clients( $room ) );
	}

	public function test_a_follower_on_the_dashboard_brings_active_posts_into_the_reply() {
		$a    = $this->make_user( 'editor' );
		$post = $this->make_post( $a );
		$this->heartbeat( $a, $this->ping( 'editab001', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$alone = $this->heartbeat( $a, $this->ping( 'leadtab01', array( 'screen' => 'edit-post' ) ), 'edit-post' )['wp-presence'];
		$this->assertArrayNotHasKey( 'active_posts', $alone );
		$reply = $this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'dashboard' ) ), array( 'screen' => 'edit-post' ) ), 'edit-post' )['wp-presence'];
		$this->assertSame( array( $post ), wp_list_pluck( $reply['active_posts']['posts'], 'post_id' ) );
	}

	public function test_closing_one_tab_keeps_the_user_online() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'dashboard' ) ) ) );
		wp_presence_shorten_tab( $a, 'leadtab01' ); // The leader closed.
		WP_Presence_Testing::advance( wp_presence_leave_grace() + 1 );
		wp_set_current_user( $b );
		$this->assertSame( array( $a ), $this->ids( wp_presence_online_users() ) );
		$this->assertSame( array( "tab-$a-follow001" ), $this->clients( 'admin/online' ) );
	}

	public function test_an_invisible_users_tabs_are_stored_but_not_shown() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $a, 'invisible' );
		$this->heartbeat( $a, $this->leader_ping( 'leadtab01', array( array( 'tab' => 'follow001', 'screen' => 'dashboard' ) ) ) );
		$this->assertSame( array(), wp_presence_store()->room( 'admin/online' ), 'nothing in the site namespace' );
		$this->assertCount( 2, wp_presence_in_hidden( static fn( $store ) => $store->room( 'admin/online' ) ), 'both tabs in the hidden namespace' );
		$reply = $this->heartbeat( $b, $this->ping( 'btab0001' ) )['wp-presence'];
		$this->assertSame( array( $b ), $this->ids( $reply['rooms']['admin/online']['users'] ) );
	}

	public function test_a_single_tab_payload_still_works_and_trailing_newlines_are_refused() {
		$a     = $this->make_user( 'editor' );
		$reply = $this->heartbeat( $a, $this->ping( 'oldclient' ) )['wp-presence'];
		$this->assertArrayNotHasKey( 'tabs', $reply );
		$this->assertSame( array( "tab-$a-oldclient" ), $this->clients( 'admin/online' ) );
		$this->assertArrayNotHasKey( 'wp-presence', $this->heartbeat( $a, $this->ping( "newline01\n" ) ) );
		$this->assertSame( array( "tab-$a-oldclient" ), $this->clients( 'admin/online' ) );
	}
}
