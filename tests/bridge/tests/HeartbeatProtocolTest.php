<?php
/**
 * Heartbeat at scale: bounded rows and changes only (docs/CONTRACT.md §3, "Bounded rows and
 * changes").
 *
 * @package Presence
 */

/**
 * The reply protocol of `wp-presence` and the bound of the old `presence-online`.
 */
class HeartbeatProtocolTest extends Presence_TestCase {

	/**
	 * The admin room of a viewer's tick.
	 *
	 * @param int   $viewer Viewer.
	 * @param array $extra  Ping keys.
	 * @return array|null The room's reply (null when it was left out).
	 */
	private function room_of( $viewer, array $extra = array() ) {
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', $extra ) )['wp-presence'];
		return isset( $reply['rooms']['admin/online'] ) ? $reply['rooms']['admin/online'] : null;
	}

	/**
	 * Whether the store keeps a change log (only the extension does; SQL and Redis send the
	 * bounded room whenever its version moved).
	 *
	 * @return bool
	 */
	private function has_log() {
		$has = method_exists( wp_presence_store(), 'changes' );
		$this->assertSame( 'extension' === wp_presence_backend(), $has, 'only the extension keeps a log' );
		return $has;
	}

	public function test_rows_are_bounded_to_the_filter_and_carry_the_total() {
		$this->cap_rows( 2 );
		$users  = $this->bring_online( 5 );
		$viewer = $this->make_user( 'editor' );
		$room   = $this->room_of( $viewer );
		$this->assertSame( 6, $room['total'], 'every user the viewer sees, the viewer included' );
		$this->assertSame( 2, $room['limit'] );
		$this->assertSame( array( $viewer, $users[4], $users[3] ), array_map( 'intval', wp_list_pluck( $room['users'], 'user_id' ) ), 'own row, then the 2 most recent' );

		// The old protocol: the same bound, and the total beside it.
		wp_set_current_user( $users[0] );
		$old = apply_filters( 'heartbeat_received', array(), array( 'presence-ping' => array( 'screen' => 'dashboard' ) ), 'dashboard' );
		$this->assertCount( 3, $old['presence-online'] );
		$this->assertSame( 6, $old['presence-online-total'] );
	}

	public function test_the_viewers_own_row_is_sent_even_when_it_is_the_oldest() {
		$this->cap_rows( 2 );
		$viewer = $this->make_user( 'editor' );
		$this->heartbeat( $viewer, $this->ping( 'tabviewer1' ) );
		WP_Presence_Testing::advance( 1 );
		$users = $this->bring_online( 3 );
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'activity' => 'idle' ) ) )['wp-presence']['rooms']['admin/online'];
		$this->assertSame( 4, $reply['total'] );
		$this->assertSame( array( $viewer, $users[1], $users[2] ), $this->ids( $reply['users'] ) );
	}

	public function test_default_bound_is_the_widget_stack() {
		$this->assertSame( 20, wp_presence_heartbeat_rows() );
		$this->add_test_filter(
			'wp_presence_widget_stack_after',
			static function () {
				return 7;
			}
		);
		$this->assertSame( 7, wp_presence_heartbeat_rows() );
	}

	/**
	 * Rebuilds compact rows as assets/presence.js does (expandRow(), then statusLabel()).
	 *
	 * @param array $room A room reply with compact rows.
	 * @return array[] Full rows.
	 */
	private static function expanded( array $room ) {
		$out = array();
		foreach ( $room['users'] as $row ) {
			$screen = isset( $room['screens'][ $row['screen'] ] ) ? $room['screens'][ $row['screen'] ] : array( 'label' => '', 'url' => '' );
			$out[]  = array(
				'user_id'      => $row['user_id'],
				'display_name' => $row['display_name'],
				'avatar_url'   => isset( $row['avatar_url'] ) ? $row['avatar_url'] : $room['avatars']['prefix'] . $row['avatar'] . $room['avatars']['suffix'],
				'status'       => $row['status'],
				'status_label' => isset( $row['status_label'] ) ? $row['status_label'] : wp_presence_status_label( $row['status'] ),
				'screen'       => $row['screen'],
				'screen_label' => isset( $row['screen_label'] ) ? $row['screen_label'] : $screen['label'],
				'post_id'      => isset( $row['post_id'] ) ? $row['post_id'] : 0,
				'title'        => isset( $row['title'] ) ? $row['title'] : '',
				'url'          => isset( $row['url'] ) ? $row['url'] : $screen['url'],
				'updated'      => $row['updated'],
			);
		}
		return $out;
	}

	public function test_compact_rows_rebuild_exactly_the_full_rows_and_are_much_smaller() {
		$users  = $this->bring_online( 6 );
		$post   = $this->make_post( $users[0] );
		$this->heartbeat( $users[0], $this->ping( 'tabonline0', array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		$this->heartbeat( $users[1], $this->ping( 'tabonline1', array( 'screen' => 'edit-post' ) ), 'edit-post' );
		$this->heartbeat( $users[2], $this->ping( 'tabonline2', array( 'activity' => 'away' ) ) );
		$viewer = $this->make_user( 'administrator' );
		$full   = $this->room_of( $viewer );
		$this->assertArrayNotHasKey( 'screens', $full, 'a client without delta gets the full rows, as before' );
		$compact = $this->room_of( $viewer, array( 'delta' => 1 ) );
		$this->assertSame( $full['total'], $compact['total'] );
		$this->assertSame( $full['users'], self::expanded( $compact ), 'the client rebuilds every field' );

		$by_user = array_column( $compact['users'], null, 'user_id' );
		$this->assertSame( $post, $by_user[ $users[0] ]['post_id'], 'a row with a post keeps it' );
		$this->assertSame( get_edit_post_link( $post, 'raw' ), $by_user[ $users[0] ]['url'], 'and its edit link' );
		$this->assertArrayNotHasKey( 'post_id', $by_user[ $users[1] ], 'empty fields are left out' );
		$this->assertArrayNotHasKey( 'status_label', $by_user[ $users[2] ], 'the page has the labels' );
		$this->assertArrayNotHasKey( 'avatar_url', $by_user[ $users[3] ], 'the avatars share a prefix and suffix' );
		$this->assertSame( array( 'dashboard', 'edit-post' ), array_values( array_intersect( array( 'dashboard', 'edit-post' ), array_keys( $compact['screens'] ) ) ) );
		$this->assertLessThan( 0.7 * strlen( wp_json_encode( $full['users'] ) ), strlen( wp_json_encode( array( $compact['users'], $compact['screens'], $compact['avatars'] ) ) ), 'rows, screens and avatars together: under 70 % (about 55 % for 20 rows on one screen)' );
	}

	public function test_changes_only_carry_the_users_who_changed() {
		$users  = $this->bring_online( 3 );
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$this->assertArrayNotHasKey( 'changes', $first['rooms']['admin/online'], 'first tick: the whole room' );
		$seen = array(
			'ack'   => $first['ack'],
			'delta' => 1,
			'seen'  => array( 'admin/online' => (string) $first['rooms']['admin/online']['version'] ),
		);

		$this->heartbeat( $users[1], $this->ping( 'tabonline1', array( 'activity' => 'away' ) ) );
		$room = $this->room_of( $viewer, $seen );
		$this->assertNotNull( $room, 'the room moved' );
		if ( ! $this->has_log() ) {
			$this->assertArrayNotHasKey( 'changes', $room );
			$this->assertSame( array( $users[0], $users[1], $users[2], $viewer ), $this->ids( $room['users'] ) );
			return;
		}
		$this->assertTrue( $room['changes'] );
		$this->assertSame( array( $users[1] ), $this->ids( $room['users'] ) );
		$this->assertSame( 'away', $room['users'][0]['status'] );
		$this->assertSame( array(), $room['left'] );
		$this->assertSame( 4, $room['total'] );
		$this->assertSame( wp_presence_store()->room_version( 'admin/online' ), $room['version'] );

		// A client that does not ask for changes (an old presence.js) still gets the whole room.
		$full = $this->room_of( $viewer, array( 'ack' => $first['ack'] ) + array( 'seen' => $seen['seen'] ) );
		$this->assertArrayNotHasKey( 'changes', $full );
		$this->assertSame( array( $users[0], $users[1], $users[2], $viewer ), $this->ids( $full['users'] ) );

		// The new version is current: nothing is sent.
		$seen['seen']['admin/online'] = (string) $room['version'];
		$this->assertNull( $this->room_of( $viewer, $seen ) );
	}

	public function test_a_user_who_leaves_is_listed_by_id() {
		$users  = $this->bring_online( 3 );
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$seen   = array(
			'ack'   => $first['ack'],
			'delta' => 1,
			'seen'  => array( 'admin/online' => (string) $first['rooms']['admin/online']['version'] ),
		);
		wp_remove_user_presence( $users[2] );
		$room = $this->room_of( $viewer, $seen );
		if ( ! $this->has_log() ) {
			$this->assertSame( array( $users[0], $users[1], $viewer ), $this->ids( $room['users'] ) );
			return;
		}
		$this->assertTrue( $room['changes'] );
		$this->assertSame( array(), $room['users'] );
		$this->assertSame( array( $users[2] ), $room['left'] );
		$this->assertSame( 3, $room['total'] );
	}

	public function test_an_invisible_users_activity_is_never_sent_not_even_as_a_version() {
		$users  = $this->bring_online( 2 );
		$viewer = $this->make_user( 'administrator' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$seen   = array(
			'ack'   => $first['ack'],
			'delta' => 1,
			'seen'  => array( 'admin/online' => (string) $first['rooms']['admin/online']['version'] ),
		);
		$this->assertTrue( wp_set_user_presence_preference( $users[0], 'invisible' ) );
		$room = $this->room_of( $viewer, $seen );
		$this->assertNotNull( $room );
		if ( $this->has_log() ) {
			$this->assertSame( array( $users[0] ), $room['left'], 'going invisible looks like leaving' );
			$this->assertSame( array(), $room['users'] );
		} else {
			$this->assertSame( array( $users[1], $viewer ), $this->ids( $room['users'] ) );
		}
		$this->assertSame( 2, $room['total'] );

		// Whatever the invisible user does now, the viewer's room does not move.
		$seen['seen']['admin/online'] = (string) $room['version'];
		$this->heartbeat( $users[0], $this->ping( 'tabonline0', array( 'activity' => 'away' ) ) );
		$this->heartbeat( $users[0], $this->ping( 'tabelse01', array( 'screen' => 'upload' ) ) );
		$this->assertNull( $this->room_of( $viewer, $seen ) );
	}

	public function test_the_whole_room_when_the_log_does_not_reach_back_or_changes_exceed_the_bound() {
		$this->cap_rows( 2 );
		$users  = $this->bring_online( 4 );
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$seen   = array(
			'ack'   => $first['ack'],
			'delta' => 1,
			'seen'  => array( 'admin/online' => (string) $first['rooms']['admin/online']['version'] ),
		);

		// A version this room never had: the log cannot answer.
		$never = $this->room_of( $viewer, array( 'seen' => array( 'admin/online' => '987654321' ) ) + $seen );
		$this->assertArrayNotHasKey( 'changes', $never );
		$this->assertSame( 5, $never['total'] );
		$this->assertCount( 3, $never['users'] );

		// Three users changed, the bound is two: the bounded room instead.
		foreach ( array( 0, 1, 2 ) as $i ) {
			$this->heartbeat( $users[ $i ], $this->ping( 'tabonline' . $i, array( 'activity' => 'idle' ) ) );
		}
		$many = $this->room_of( $viewer, $seen );
		$this->assertArrayNotHasKey( 'changes', $many );
		$this->assertCount( 3, $many['users'] );

		// Someone left while the room holds more than the client was sent: refill from a full read.
		$seen['seen']['admin/online'] = (string) $many['version'];
		wp_remove_user_presence( $users[3] );
		$left = $this->room_of( $viewer, $seen );
		$this->assertArrayNotHasKey( 'changes', $left );
		$this->assertSame( 4, $left['total'] );
		$this->assertNotContains( $users[3], $this->ids( $left['users'] ) );
	}

	public function test_a_see_entry_rule_gets_the_whole_room_through_the_policy() {
		$users  = $this->bring_online( 2 );
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$hidden = $users[0];
		$this->add_test_filter(
			'wp_presence_see_entry',
			static function ( $seen, $entry ) use ( $hidden ) {
				return (int) $entry['user_id'] === $hidden ? null : $seen;
			},
			10,
			2
		);
		$this->heartbeat( $hidden, $this->ping( 'tabonline0', array( 'activity' => 'away' ) ) );
		$room = $this->room_of(
			$viewer,
			array(
				'ack'   => $first['ack'],
				'delta' => 1,
				'seen'  => array( 'admin/online' => (string) $first['rooms']['admin/online']['version'] ),
			)
		);
		$this->assertArrayNotHasKey( 'changes', $room );
		$this->assertSame( array( $users[1], $viewer ), $this->ids( $room['users'] ) );
		$this->assertSame( 2, $room['total'], 'the hidden entry is not counted' );
	}
}
