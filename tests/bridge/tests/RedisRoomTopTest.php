<?php
/**
 * room_top() on the Redis backend, and the per-room user index that serves it.
 *
 * Runs in the redis pass of tests/bridge/run.sh.
 *
 * @package Presence
 */

/**
 * WP_Presence_Store_Redis::room_top(), room_user_count() and rooms() from the index.
 */
class RedisRoomTopTest extends Presence_TestCase {

	protected function setUp(): void {
		parent::setUp();
		if ( ! $this->on_redis() ) {
			$this->markTestSkipped( 'Redis pass only.' );
		}
	}

	/**
	 * A raw phpredis connection to the test server.
	 *
	 * @return Redis
	 */
	private function raw() {
		$c     = WP_Presence_Store_Redis::config();
		$redis = new Redis();
		$redis->connect( $c['host'], (int) $c['port'], 1.0 );
		return $redis;
	}

	/**
	 * The namespace base of the current namespace (`{p}{strlen(ns)}:{ns}`).
	 *
	 * @return string
	 */
	private static function base() {
		$s  = wp_presence_store();
		$ns = $s->get_namespace();
		return $s->prefix() . strlen( $ns ) . ':' . $ns;
	}

	/**
	 * Calls of some commands so far (INFO commandstats counts those a script runs too).
	 *
	 * @param Redis    $redis    Connection.
	 * @param string[] $commands Lowercase command names.
	 * @return int
	 */
	private static function command_calls( Redis $redis, array $commands ) {
		$stats = $redis->info( 'commandstats' );
		$calls = 0;
		foreach ( $commands as $command ) {
			if ( isset( $stats[ 'cmdstat_' . $command ] ) && preg_match( '/calls=(\d+)/', $stats[ 'cmdstat_' . $command ], $m ) ) {
				$calls += (int) $m[1];
			}
		}
		return $calls;
	}

	/**
	 * What room_top() must answer, computed from room(): users by their newest entry, ties
	 * left to the store (callers avoid ties at the cut).
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users.
	 * @param int    $user_id Extra user.
	 * @return array 'users' => int[] picked (in order), 'entries' => array[], 'count' => int.
	 */
	private static function expected( $room, $users, $user_id ) {
		$all    = wp_presence_store()->room( $room );
		$newest = array();
		foreach ( $all as $e ) {
			if ( $e['user_id'] > 0 && ! isset( $newest[ $e['user_id'] ] ) ) {
				$newest[ $e['user_id'] ] = $e['updated']; // room() is newest first.
			}
		}
		arsort( $newest );
		$picked = array_slice( array_keys( $newest ), 0, $users );
		$want   = $picked;
		if ( $user_id > 0 ) {
			$want[] = $user_id;
		}
		$entries = array_values(
			array_filter(
				$all,
				static function ( $e ) use ( $want ) {
					return in_array( $e['user_id'], $want, true );
				}
			)
		);
		return array(
			'users'   => $picked,
			'entries' => $entries,
			'count'   => count( $newest ),
		);
	}

	/**
	 * Asserts room_top() answers what room() implies.
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users.
	 * @param int    $user_id Extra user.
	 * @param string $message Message.
	 * @return void
	 */
	private function assertTopMatchesRoom( $room, $users, $user_id, $message ) {
		$want = self::expected( $room, $users, $user_id );
		$top  = wp_presence_store()->room_top( $room, $users, $user_id );
		$this->assertSame( $want['count'], $top['users'], $message . ': user count' );
		$this->assertSame( $want['entries'], $top['entries'], $message . ': entries' );
		$this->assertSame( $want['count'], wp_presence_store()->room_user_count( $room ), $message . ': room_user_count()' );
	}

	/**
	 * The example of the shared contract: u1 (2 tabs, oldest), u3, u2, then an anonymous entry.
	 */
	public function test_the_contract_example() {
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

	public function test_bad_arguments_are_refused() {
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
	 * Issue 10: a tick read the whole `admin/online` room (HGETALL of every value) to send 21
	 * users, and counted the room's users by parsing every value (HVALS in `rooms`).
	 */
	public function test_room_top_and_the_counts_read_no_room_whole() {
		$s    = wp_presence_store();
		$room = wp_presence_admin_room();
		for ( $i = 1; $i <= 300; $i++ ) {
			$s->upsert( $room, 'tab' . $i, 1000 + $i, array( 'screen' => 'dashboard' ), 600 );
			if ( 0 === $i % 100 ) {
				WP_Presence_Testing::advance( 1 );
			}
		}
		$s->upsert( $room, 'anon', 0, array(), 600 );
		$redis = $this->raw();
		$reads = array( 'hvals', 'hgetall', 'hscan', 'hkeys' );
		$calls = self::command_calls( $redis, $reads );

		$top   = $s->room_top( $room, 20, 1005 );
		$count = $s->room_user_count( $room );
		$rows  = $s->rooms( $room );
		$this->assertSame( $calls, self::command_calls( $redis, $reads ), 'room_top(), room_user_count() and rooms() read no room whole' );

		$this->assertCount( 21, $top['entries'] );
		$this->assertSame( 300, $top['users'] );
		$this->assertSame( 300, $count );
		$this->assertSame( 301, $rows[0]['users'], 'rooms() counts user 0 as one user, as before' );
		$this->assertSame( 301, $rows[0]['entries'] );
		$this->assertSame( $s->now(), $rows[0]['updated'] );
		$this->assertSame( 1005, $top['entries'][20]['user_id'], 'the extra user, oldest' );
		$this->assertSame( range( 1300, 1281 ), array_slice( wp_list_pluck( $top['entries'], 'user_id' ), 0, 20 ), 'the newest 20 (ties broken by the store, but all of the newest second)' );
	}

	public function test_the_index_follows_every_change() {
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
		$this->assertSame( array(), $this->raw()->keys( self::base() . ':[tn]:r' ), 'an emptied room leaves no index keys' );
	}

	public function test_sweep_and_clear_keep_the_index() {
		$s = wp_presence_store();
		$s->upsert( 'a', 'x', 1, array(), 5 );
		$s->upsert( 'a', 'y', 2, array(), 50 );
		$s->upsert( 'b', 'x', 1, array(), 5 );
		WP_Presence_Testing::advance( 6 );
		$this->assertSame( 2, $s->sweep() );
		$redis = $this->raw();
		$this->assertSame( array( '2' ), $redis->zRange( self::base() . ':t:a', 0, -1 ), 'sweep took u1 out of the index' );
		$this->assertSame( array( '2' => '1' ), $redis->hGetAll( self::base() . ':n:a' ) );
		$this->assertSame( array(), $redis->keys( self::base() . ':[tn]:b' ) );

		$s->upsert( 'b', 'z', 3, array(), 50 );
		$this->assertSame( 2, $s->clear() );
		$this->assertSame( array(), $redis->keys( self::base() . ':[tn]:*' ), 'clear drops the index' );
		$this->assertSame( 0, $s->room_user_count( 'a' ) );
		$s->upsert( 'a', 'w', 4, array(), 50 );
		$this->assertSame( array( 'w' ), wp_list_pluck( $s->room_top( 'a', 3 )['entries'], 'client_id' ) );
		$this->assertSame( 1, $s->room_user_count( 'a' ) );
	}

	/**
	 * Entries written before 1.4.0 have no index: the namespace's first call builds it once.
	 */
	public function test_an_index_is_built_for_data_written_before_it() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'a', 1, array(), 600 );
		WP_Presence_Testing::advance( 1 );
		$s->upsert( 'r', 'b', 2, array(), 600 );
		$s->upsert( 'r', 'c', 2, array(), 5 );
		$s->upsert( 'q', 'd', 3, array(), 600 );
		$redis = $this->raw();
		$b     = self::base();
		$this->assertSame( 5, $redis->del( $b . ':t:r', $b . ':n:r', $b . ':t:q', $b . ':n:q', $b . ':idx' ), 'the index keys existed' );

		WP_Presence_Testing::advance( 5 );
		$this->assertTopMatchesRoom( 'r', 1, 1, 'built lazily' );
		$this->assertSame( array( 'b' ), wp_list_pluck( $s->room_top( 'r', 1 )['entries'], 'client_id' ), 'c expired while the index was built' );
		$this->assertSame( '1', $redis->get( $b . ':idx' ) );
		$this->assertSame( array( '3' => '1' ), $redis->hGetAll( $b . ':n:q' ), 'every room of the namespace' );
		$reads = array( 'hvals', 'hgetall' );
		$calls = self::command_calls( $redis, $reads );
		$s->room_top( 'r', 1 );
		$this->assertSame( $calls, self::command_calls( $redis, $reads ), 'only once' );
	}

	public function test_the_uninstaller_deletes_the_index() {
		$s     = wp_presence_store();
		$other = new WP_Presence_Store_Redis();
		$other->set_namespace( 'roomtop-uninstall' );
		$other->upsert( 'r', 'a', 1, array(), 600 );
		$other->room_top( 'r', 1 );
		$redis = $this->raw();
		$base  = $s->prefix() . strlen( 'roomtop-uninstall' ) . ':roomtop-uninstall';
		$this->assertNotEmpty( $redis->keys( $base . ':t:*' ) );
		$other->delete_namespaces( array(), array( 'roomtop-uninstall' ) );
		$this->assertSame( array(), $redis->keys( $base . ':*' ), 'index keys included' );
	}
}
