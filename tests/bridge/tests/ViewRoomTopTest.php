<?php
/**
 * Bounded Heartbeat rows from the store's `room_top()`: PHP holds only the users it sends.
 *
 * @package Presence
 */

/**
 * The view's bounded read on every backend (docs/CONTRACT.md §3, "Bounded rows and changes").
 */
class ViewRoomTopTest extends Presence_Security_TestCase {

	public function test_every_backend_has_the_bounded_read() {
		$this->assertTrue( method_exists( wp_presence_store(), 'room_top' ), wp_presence_backend() . ' store has room_top()' );
	}

	public function test_a_tick_after_a_change_reads_only_the_users_it_sends() {
		$this->cap_rows( 3 );
		$users    = $this->bring_online( 12 );
		$viewer   = $this->make_user( 'editor' );
		$recorder = $this->start_recording();
		$reply    = $this->heartbeat( $viewer, $this->ping( 'tabviewer1' ) )['wp-presence']['rooms']['admin/online'];
		$this->assertSame( 13, $reply['total'] );
		$this->assertSame( array( $viewer, $users[11], $users[10], $users[9] ), array_map( 'intval', wp_list_pluck( $reply['users'], 'user_id' ) ) );
		$whole = preg_grep( '/ room\(\["admin\\\\\/online"/', $recorder->calls );
		$this->assertSame( array(), array_values( $whole ), 'the admin room is never read whole' );
		$this->assertNotEmpty( preg_grep( '/ room_top\(\["admin\\\\\/online",4,' . $viewer . '\]\)/', $recorder->calls ), 'one bounded read: 3 rows, the viewer, and the viewer\'s entries' );
	}

	public function test_users_the_viewer_cannot_see_never_shorten_the_rows() {
		$this->cap_rows( 2 );
		$users = $this->bring_online( 4 );
		// The most recent entries belong to ids with no account (a user deleted elsewhere, say):
		// no row and no count, and the rows are filled from the users behind them.
		$store = wp_presence_store();
		for ( $i = 1; $i <= 6; $i++ ) {
			$store->upsert( 'admin/online', 'ghost' . $i, 900000 + $i, array( 'screen' => 'dashboard' ), 60 );
		}
		$viewer = $this->make_user( 'editor' );
		$reply  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1' ) )['wp-presence']['rooms']['admin/online'];
		$this->assertSame( array( $viewer, $users[3], $users[2] ), array_map( 'intval', wp_list_pluck( $reply['users'], 'user_id' ) ) );
		$this->assertSame( 5, $reply['total'], 'four users and the viewer; the six ghosts are not counted' );
	}

	public function test_the_viewers_tabs_are_combined_into_one_row_even_when_oldest() {
		$this->cap_rows( 2 );
		$viewer = $this->make_user( 'editor' );
		$this->heartbeat( $viewer, $this->ping( 'tabviewer1' ) );
		$this->heartbeat( $viewer, $this->ping( 'tabviewer2', array( 'screen' => 'upload' ) ) );
		WP_Presence_Testing::advance( 1 );
		$users = $this->bring_online( 5 );
		$reply = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'activity' => 'idle' ) ) )['wp-presence']['rooms']['admin/online'];
		$this->assertSame( 6, $reply['total'] );
		$ids = array_map( 'intval', wp_list_pluck( $reply['users'], 'user_id' ) );
		$this->assertSame( array( $viewer, $users[4], $users[3] ), $ids, 'one row for the viewer, first; then the 2 most recent' );
	}

	public function test_a_hidden_viewer_still_gets_their_own_row_and_is_not_counted_for_others() {
		$this->cap_rows( 2 );
		$users  = $this->bring_online( 3 );
		$hidden = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $hidden, 'invisible' );
		$own = $this->heartbeat( $hidden, $this->ping( 'tabhidden1' ) )['wp-presence']['rooms']['admin/online'];
		$this->assertContains( $hidden, array_map( 'intval', wp_list_pluck( $own['users'], 'user_id' ) ), 'an invisible user sees themself' );
		$this->assertSame( 4, $own['total'] );
		$other = $this->heartbeat( $users[0], $this->ping( 'tabonline0' ) )['wp-presence']['rooms']['admin/online'];
		$this->assertNotContains( $hidden, array_map( 'intval', wp_list_pluck( $other['users'], 'user_id' ) ) );
		$this->assertSame( 3, $other['total'] );
	}
}
