<?php
/**
 * Capability matrix: administrator, editor, author, contributor, subscriber, logged out.
 *
 * @package Presence
 */

/**
 * Who may read, write and see what.
 */
class CapabilityTest extends Presence_TestCase {

	/**
	 * Roles and what they may do: admin room, someone else's published post, own draft.
	 *
	 * @return array
	 */
	public function matrix() {
		return array(
			'administrator' => array( 'administrator', true, true, true ),
			'editor'        => array( 'editor', true, true, true ),
			'author'        => array( 'author', true, false, true ),
			'contributor'   => array( 'contributor', true, false, true ),
			'subscriber'    => array( 'subscriber', false, false, false ),
			'logged out'    => array( '', false, false, false ),
		);
	}

	/**
	 * @dataProvider matrix
	 */
	public function test_matrix( $role, $admin_room, $others_post, $own_draft ) {
		$owner   = $this->make_user( 'editor' );
		$others  = $this->make_post( $owner, array( 'post_title' => 'Others' ) );
		$user    = '' === $role ? 0 : $this->make_user( $role );
		$own     = $this->make_post( $user ? $user : $owner, array( 'post_status' => 'draft', 'post_title' => 'Own' ) );
		$expect  = array(
			'admin/online'                  => $admin_room,
			wp_presence_post_room( $others ) => $others_post,
			wp_presence_post_room( $own )    => $user ? $own_draft : false,
		);
		wp_set_current_user( $user );

		// Someone is in every room.
		foreach ( array_keys( $expect ) as $room ) {
			wp_set_presence( $room, 'owner', array( 'screen' => 'post' ), $owner );
		}
		$this->heartbeat( $owner, $this->ping( 'tabowner1', array( 'screen' => 'post', 'post_id' => $others ) ), 'post' );
		wp_set_current_user( $user );

		foreach ( $expect as $room => $allowed ) {
			$this->assertSame( $allowed, wp_can_access_presence_room( $room ), "$role: access $room" );
			$get = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => $room ) );
			$this->assertSame( $allowed ? 200 : ( $user ? 403 : 401 ), $get->get_status(), "$role: GET $room" );
			$post = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'probe-' . $role, 'data' => array() ) );
			$this->assertSame( $allowed ? 200 : ( $user ? 403 : 401 ), $post->get_status(), "$role: POST $room" );
			$del = $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => 'owner' ) );
			$can_delete = $allowed && ( 'administrator' === $role );
			$this->assertSame( $can_delete ? 200 : ( $user ? 403 : 401 ), $del->get_status(), "$role: DELETE someone else's entry in $room" );
		}

		// Views: the online list and titles.
		$rows = wp_presence_online_users();
		if ( $admin_room ) {
			$this->assertContains( $owner, $this->ids( $rows ), "$role sees who is online" );
			$owner_row = wp_list_filter( $rows, array( 'user_id' => $owner ) );
			$owner_row = reset( $owner_row );
			// Where others are also needs view_presence_location (list_users): the administrator.
			$shown = $others_post && user_can( $user, 'list_users' );
			$this->assertSame( 'administrator' === $role, $shown );
			$this->assertSame( $shown ? 'Others' : '', $owner_row['title'], "$role: title of a post they " . ( $others_post ? 'can' : 'cannot' ) . ' edit, ' . ( $shown ? 'with' : 'without' ) . ' view_presence_location' );
			$this->assertSame( $shown ? $others : 0, $owner_row['post_id'] );
		} else {
			$this->assertSame( array(), $rows, "$role sees nobody" );
		}
		$active = wp_list_pluck( wp_presence_active_posts(), 'post_id' );
		$this->assertSame( $others_post, in_array( $others, $active, true ), "$role: active posts" );
		$editors = $this->ids( wp_presence_post_editors( $others ) );
		if ( $others_post ) {
			$this->assertContains( $owner, $editors, "$role: editors of the post" );
		} else {
			$this->assertSame( array(), $editors, "$role: no editors of a post they cannot edit" );
		}

		// Heartbeat replies carry rooms only for users with access.
		if ( $user ) {
			$reply = $this->heartbeat( $user, $this->ping( 'tabprobe1' ) )['wp-presence'];
			$this->assertSame( $admin_room, isset( $reply['rooms']['admin/online'] ), "$role: heartbeat room" );
		}
	}
}
