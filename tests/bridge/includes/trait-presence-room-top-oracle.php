<?php
/**
 * What room_top() must answer, worked out from room(): shared by the backends' RoomTop tests.
 *
 * @package Presence
 */

/**
 * An oracle for WP_Presence_Store::room_top() (the shared contract): it reads the whole room
 * with room() and picks the users in PHP, the way the view did before room_top().
 */
trait Presence_Room_Top_Oracle {

	/**
	 * What room_top() must answer: users by their newest entry (callers avoid ties at the cut:
	 * the store orders tied users its own way).
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users.
	 * @param int    $user_id Extra user.
	 * @return array 'entries' => array[] (room() order), 'count' => int.
	 */
	private static function expected_top( $room, $users, $user_id ) {
		$all    = wp_presence_store()->room( $room );
		$newest = array();
		foreach ( $all as $e ) {
			if ( $e['user_id'] > 0 && ! isset( $newest[ $e['user_id'] ] ) ) {
				$newest[ $e['user_id'] ] = $e['updated']; // room() is newest first.
			}
		}
		arsort( $newest );
		$want = array_slice( array_keys( $newest ), 0, $users );
		if ( $user_id > 0 ) {
			$want[] = $user_id;
		}
		return array(
			'entries' => array_values(
				array_filter(
					$all,
					static function ( $e ) use ( $want ) {
						return in_array( $e['user_id'], $want, true );
					}
				)
			),
			'count'   => count( $newest ),
		);
	}

	/**
	 * Asserts that room_top() and room_user_count() answer what room() implies.
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users.
	 * @param int    $user_id Extra user.
	 * @param string $message Message.
	 * @return void
	 */
	private function assertTopMatchesRoom( $room, $users, $user_id, $message ) {
		$want = self::expected_top( $room, $users, $user_id );
		$top  = wp_presence_store()->room_top( $room, $users, $user_id );
		$this->assertSame( $want['count'], $top['users'], $message . ': user count' );
		$this->assertSame( $want['entries'], $top['entries'], $message . ': entries' );
		$this->assertSame( $want['count'], wp_presence_store()->room_user_count( $room ), $message . ': room_user_count()' );
	}

	/**
	 * The example of the shared contract: u1 (2 tabs, oldest), u3, u2, then an anonymous entry,
	 * and u1 elsewhere.
	 *
	 * @return void
	 */
	private function check_the_contract_example() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'u1-a', 1, array( 'tab' => 'a' ), 600 );
		$s->upsert( 'r', 'u1-b', 1, array( 'tab' => 'b' ), 600 );
		WP_Presence_Testing::advance( 20 );
		$s->upsert( 'r', 'u3', 3, array(), 600 );
		WP_Presence_Testing::advance( 30 );
		$s->upsert( 'r', 'u2', 2, array(), 600 );
		WP_Presence_Testing::advance( 50 );
		$s->upsert( 'r', 'anon', 0, array(), 600 );
		$s->upsert( 'elsewhere', 'u1-c', 1, array(), 600 );

		$top = $s->room_top( 'r', 2, 0 );
		$this->assertSame( 3, $top['users'], 'user 0 is not counted' );
		$this->assertSame( array( 'u2', 'u3' ), wp_list_pluck( $top['entries'], 'client_id' ), 'u2 and u3, newest first; u1 and the anonymous entry not picked' );
		$room = $s->room( 'r' );
		$this->assertSame( array( $room[1], $room[2] ), $top['entries'], 'in the shape of room()' );

		$top = $s->room_top( 'r', 1, 1 );
		$this->assertSame( 3, $top['users'] );
		$this->assertSame( array( 'u2', 'u1-b', 'u1-a' ), wp_list_pluck( $top['entries'], 'client_id' ), "u2, plus both of u1's entries in this room only" );

		$top = $s->room_top( 'r', 2, 2 );
		$this->assertSame( array( 'u2', 'u3' ), wp_list_pluck( $top['entries'], 'client_id' ), 'an extra user already picked comes once' );
		$this->assertSame( array( 'u2' ), wp_list_pluck( $s->room_top( 'r', 1, 9 )['entries'], 'client_id' ), 'an extra user without entries adds none' );
		$this->assertSame( array( 'u2', 'u3', 'u1-b', 'u1-a' ), wp_list_pluck( $s->room_top( 'r', 1000, 0 )['entries'], 'client_id' ), 'all users, no anonymous entry' );
		$this->assertSame( 3, $s->room_user_count( 'r' ) );
		$this->assertSame(
			array(
				'entries' => array(),
				'users'   => 0,
			),
			$s->room_top( 'empty', 5, 1 )
		);
		$this->assertSame( 0, $s->room_user_count( 'empty' ) );
	}

	/**
	 * Bad arguments get the backend's ValueError.
	 *
	 * @return void
	 */
	private function check_bad_arguments_are_refused() {
		$s = wp_presence_store();
		foreach ( array( array( '', 1, 0 ), array( str_repeat( 'r', 256 ), 1, 0 ), array( 'r', 0, 0 ), array( 'r', 1001, 0 ), array( 'r', 1, -1 ) ) as $args ) {
			try {
				$s->room_top( ...$args );
				$this->fail( 'accepted ' . wp_json_encode( $args ) );
			} catch ( ValueError $e ) {
				$this->assertStringStartsWith( 'presence ', $e->getMessage() );
			}
		}
		$this->assertSame( 0, $s->room_top( 'r', 1000, 0 )['users'], '1000 is allowed' );
	}

	/**
	 * room_top() after writes, refreshes, removals, remove_user(), a client id passing to another
	 * user, and expiry, checked against room() at each step (no ties at the cut).
	 *
	 * @return void
	 */
	private function check_top_follows_every_change() {
		$s = wp_presence_store();
		for ( $u = 1; $u <= 6; $u++ ) {
			$s->upsert( 'r', 'a' . $u, $u, array(), 100 );
			$s->upsert( 'r', 'b' . $u, $u, array(), 30 );
			WP_Presence_Testing::advance( 1 );
		}
		$this->assertTopMatchesRoom( 'r', 3, 1, 'written' );

		// The newest entry of the newest user goes: that user falls back to its other entry's time.
		$s->upsert( 'r', 'b6', 6, array( 'x' => 1 ), 30 );
		WP_Presence_Testing::advance( 10 );
		$s->upsert( 'r', 'c5', 5, array(), 100 );
		$this->assertSame( array( 5, 6, 4 ), array_values( array_unique( wp_list_pluck( $s->room_top( 'r', 3 )['entries'], 'user_id' ) ) ) );
		$this->assertTrue( $s->remove( 'r', 'c5' ) );
		$this->assertSame( array( 6, 5, 4 ), array_values( array_unique( wp_list_pluck( $s->room_top( 'r', 3 )['entries'], 'user_id' ) ) ), 'u5 is back at its older entries' );
		$this->assertTopMatchesRoom( 'r', 3, 0, 'remove' );

		// A refresh moves the user up.
		WP_Presence_Testing::advance( 1 );
		$s->upsert( 'r', 'a1', 1, array(), 100 );
		$this->assertSame( 1, $s->room_top( 'r', 1 )['entries'][0]['user_id'], 'refreshed, newest' );
		$this->assertTopMatchesRoom( 'r', 2, 3, 'refresh' );

		// A client id passing to another user.
		WP_Presence_Testing::advance( 1 );
		$s->upsert( 'r', 'a2', 4, array(), 100 );
		$this->assertTopMatchesRoom( 'r', 6, 2, 'client id passed to another user' );
		$mine = wp_list_filter( $s->room_top( 'r', 1, 2 )['entries'], array( 'user_id' => 2 ) );
		$this->assertSame( array( 'b2' ), array_values( wp_list_pluck( $mine, 'client_id' ) ), 'u2 keeps only b2' );

		// remove_user.
		$this->assertSame( 3, $s->remove_user( 4 ) );
		$this->assertTopMatchesRoom( 'r', 6, 4, 'remove_user' );
		$this->assertSame( 5, $s->room_user_count( 'r' ) );

		// Expiry: the 30-second entries go (every b*), then the rest.
		WP_Presence_Testing::advance( 30 );
		$this->assertTopMatchesRoom( 'r', 6, 0, 'expired b entries' );
		$this->assertSame( 4, $s->room_user_count( 'r' ), 'u2 (whose a2 passed to u4) is gone, the others keep their a entry' );
		$s->remove( 'r', 'a5' );
		$this->assertSame( 3, $s->room_user_count( 'r' ), 'u5 had only a5 left' );
		WP_Presence_Testing::advance( 100 );
		$this->assertSame( 0, $s->room_user_count( 'r' ) );
		$this->assertSame( array(), $s->room_top( 'r', 5, 1 )['entries'] );
	}
}
