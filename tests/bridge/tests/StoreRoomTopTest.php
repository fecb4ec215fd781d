<?php
/**
 * The optional room_top() store method (the room_top contract), on every backend that has it.
 *
 * @package Presence
 */

/**
 * A room's first users by newest entry, an extra user's entries, and the user count.
 *
 * @since 1.4.0
 */
class StoreRoomTopTest extends Presence_TestCase {

	/**
	 * The current store, or a skip when it has no room_top() (yet).
	 *
	 * @return WP_Presence_Store
	 */
	private function store() {
		$store = wp_presence_store();
		if ( ! method_exists( $store, 'room_top' ) ) {
			$this->markTestSkipped( 'The ' . $store->name() . ' store has no room_top().' );
		}
		return $store;
	}

	/**
	 * Client ids of a list of entries, in their order.
	 *
	 * @param array[] $entries Entries.
	 * @return string[]
	 */
	private static function clients( array $entries ) {
		return array_map( 'strval', array_column( $entries, 'client_id' ) );
	}

	/**
	 * What room_top() must answer, computed from the whole room as room() reads it: the entries
	 * keyed by client id, and the user count.
	 *
	 * @param array[] $room    The room's entries.
	 * @param int     $users   Users to pick.
	 * @param int     $user_id Extra user.
	 * @return array
	 */
	private static function reference( array $room, $users, $user_id ) {
		$newest = array();
		foreach ( $room as $e ) {
			$u = (int) $e['user_id'];
			if ( $u > 0 ) {
				$newest[ $u ] = max( $newest[ $u ] ?? PHP_INT_MIN, (int) $e['updated'] );
			}
		}
		$ids = array_keys( $newest );
		usort(
			$ids,
			static function ( $a, $b ) use ( $newest ) {
				if ( $newest[ $a ] !== $newest[ $b ] ) {
					return $newest[ $b ] <=> $newest[ $a ];
				}
				return $a <=> $b;
			}
		);
		$picked             = array_flip( array_slice( $ids, 0, $users ) );
		$picked[ $user_id ] = true;
		$keep               = array();
		foreach ( $room as $e ) {
			if ( (int) $e['user_id'] > 0 && isset( $picked[ (int) $e['user_id'] ] ) ) {
				$keep[ $e['client_id'] ] = $e;
			}
		}
		ksort( $keep );
		return array( $keep, count( $newest ) );
	}

	/**
	 * Asserts room_top() against the reference, newest first, with room()'s rows.
	 *
	 * @param WP_Presence_Store $store   Store.
	 * @param string            $room    Room.
	 * @param int               $users   Users to pick.
	 * @param int               $user_id Extra user.
	 */
	private function assertTopMatchesRoom( $store, $room, $users, $user_id ) {
		list( $want, $count ) = self::reference( $store->room( $room ), $users, $user_id );
		$top                  = $store->room_top( $room, $users, $user_id );
		$this->assertSame( array( 'entries', 'users' ), array_keys( $top ) );
		$this->assertSame( $count, $top['users'], "users of room_top($users, $user_id)" );
		if ( method_exists( $store, 'room_user_count' ) ) {
			$this->assertSame( $count, $store->room_user_count( $room ), 'room_user_count()' );
		}
		$got = array_column( $top['entries'], null, 'client_id' );
		$this->assertCount( count( $top['entries'] ), $got, 'each entry once' );
		ksort( $got );
		$this->assertEquals( $want, $got, "room_top($users, $user_id)" );
		$updated = array_column( $top['entries'], 'updated' );
		$sorted  = $updated;
		rsort( $sorted );
		$this->assertSame( $sorted, $updated, 'newest first' );
	}

	public function test_the_contract_example() {
		$store = $this->store();
		// u1 (2 tabs, at +0), u3 (+20), u2 (+50), an anonymous tab (+100).
		$store->upsert( 'top/a', 'u1-a', 1, array( 'screen' => 'a' ), 600 );
		$store->upsert( 'top/a', 'u1-b', 1, array( 'screen' => 'b' ), 600 );
		WP_Presence_Testing::advance( 20 );
		$store->upsert( 'top/a', 'u3', 3, array(), 600 );
		WP_Presence_Testing::advance( 30 );
		$store->upsert( 'top/a', 'u2', 2, array( 'screen' => 'dashboard' ), 600 );
		WP_Presence_Testing::advance( 50 );
		$store->upsert( 'top/a', 'anon', 0, array(), 600 );
		$store->upsert( 'top/b', 'u9', 9, array(), 600 );

		$top = $store->room_top( 'top/a', 2, 0 );
		$this->assertSame( array( 'u2', 'u3' ), self::clients( $top['entries'] ) );
		$this->assertSame( 3, $top['users'], 'user 0 is not counted' );
		// Every store with room_top() counts users alone too (the view's tick count).
		$this->assertSame( 3, $store->room_user_count( 'top/a' ) );
		$room = array_column( $store->room( 'top/a' ), null, 'client_id' );
		$this->assertEquals( $room['u2'], $top['entries'][0], 'the rows of room()' );

		$top = $store->room_top( 'top/a', 1, 1 );
		$this->assertSame( 'u2', $top['entries'][0]['client_id'] );
		$rest = self::clients( array_slice( $top['entries'], 1 ) );
		sort( $rest );
		$this->assertSame( array( 'u1-a', 'u1-b' ), $rest, 'both of the extra user\'s tabs' );
		$this->assertSame( 3, $top['users'] );

		// An extra user already picked comes once; user 0 never comes.
		$this->assertCount( 4, $store->room_top( 'top/a', 1000, 2 )['entries'] );
		$this->assertSame(
			array(
				'entries' => array(),
				'users'   => 0,
			),
			$store->room_top( 'top/empty', 20, 1 )
		);
	}

	public function test_expired_entries_are_neither_picked_nor_counted() {
		$store = $this->store();
		$store->upsert( 'top/x', 'short', 1, array(), 10 );
		$store->upsert( 'top/x', 'long', 2, array(), 600 );
		WP_Presence_Testing::advance( 11 );
		$top = $store->room_top( 'top/x', 5, 1 );
		$this->assertSame( array( 'long' ), self::clients( $top['entries'] ) );
		$this->assertSame( 1, $top['users'] );
		if ( method_exists( $store, 'room_user_count' ) ) {
			$this->assertSame( 1, $store->room_user_count( 'top/x' ) );
			$this->assertSame( 0, $store->room_user_count( 'top/empty' ) );
		}
	}

	public function test_a_room_of_300_users() {
		$store = $this->store();
		// 300 users over 30 seconds (ties within each second), a third with a second tab written
		// later, and anonymous tabs.
		for ( $u = 1; $u <= 300; $u++ ) {
			$store->upsert( 'top/big', "tab-$u", $u, array( 'screen' => 'dashboard' ), 600 );
			if ( 0 === $u % 10 ) {
				WP_Presence_Testing::advance( 1 );
			}
		}
		for ( $u = 3; $u <= 300; $u += 3 ) {
			$store->upsert( 'top/big', "tab-$u-b", $u, array( 'screen' => 'post' ), 600 );
			if ( 0 === $u % 30 ) {
				WP_Presence_Testing::advance( 1 );
			}
		}
		for ( $i = 0; $i < 5; $i++ ) {
			$store->upsert( 'top/big', "anon-$i", 0, array(), 600 );
		}
		$this->assertCount( 405, $store->room( 'top/big' ) );
		// No tie at the cut (the users of one second are all in or all out): a store orders tied
		// users its own way.
		foreach ( array( array( 20, 0 ), array( 20, 1 ), array( 20, 297 ), array( 10, 0 ), array( 1000, 0 ) ) as $case ) {
			$this->assertTopMatchesRoom( $store, 'top/big', $case[0], $case[1] );
		}
		// The first 20 users are those whose second tab came in the last two seconds.
		$top = $store->room_top( 'top/big', 20, 0 );
		$this->assertSame( 300, $top['users'] );
		$ids = array_values( array_unique( array_map( 'intval', array_column( $top['entries'], 'user_id' ) ) ) );
		sort( $ids );
		$this->assertSame( range( 243, 300, 3 ), $ids );
		$this->assertCount( 40, $top['entries'], 'both tabs of each' );
		$this->assertContains( 'tab-5', self::clients( $store->room_top( 'top/big', 20, 5 )['entries'] ) );
	}

	public function test_users_outside_1_to_1000_are_refused() {
		$store = $this->store();
		foreach ( array( 0, 1001 ) as $users ) {
			try {
				$store->room_top( 'top/a', $users, 0 );
				$this->fail( "room_top() took $users users" );
			} catch ( PHPUnit\Framework\AssertionFailedError $e ) {
				throw $e;
			} catch ( Throwable $e ) {
				$this->assertNotSame( '', $e->getMessage() );
			}
		}
	}
}
