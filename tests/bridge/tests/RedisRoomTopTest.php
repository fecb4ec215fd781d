<?php
/**
 * room_top() on the Redis backend, and the per-room user index that serves it.
 *
 * Runs in the redis pass of tests/bridge/run.sh.
 *
 * @package Presence
 */

require_once __DIR__ . '/../includes/trait-presence-room-top-oracle.php';

/**
 * WP_Presence_Store_Redis::room_top(), room_user_count() and rooms() from the index.
 */
class RedisRoomTopTest extends Presence_TestCase {

	use Presence_Room_Top_Oracle;

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

	public function test_the_contract_example() {
		$this->check_the_contract_example();
	}

	public function test_bad_arguments_are_refused() {
		$this->check_bad_arguments_are_refused();
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
		$this->check_top_follows_every_change();
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

	/**
	 * The network view counts a room in every site: it read each site's room whole.
	 */
	public function test_room_counts_read_the_index_only() {
		$s     = wp_presence_store();
		$other = new WP_Presence_Store_Redis();
		$other->set_namespace( 'roomtop-counts' );
		$other->clear();
		$s->upsert( 'admin/online', 'a', 7, array(), 600 );
		$s->upsert( 'admin/online', 'b', 7, array(), 600 );
		$s->upsert( 'admin/online', 'anon', 0, array(), 600 );
		WP_Presence_Testing::advance( 3 );
		$s->upsert( 'admin/online', 'c', 3, array(), 600 );
		$other->upsert( 'admin/online', 'd', 12, array(), 5 );
		$other->upsert( 'admin/online', 'e', 2, array(), 600 );
		WP_Presence_Testing::advance( 5 );
		$redis = $this->raw();
		$reads = array( 'hvals', 'hgetall', 'hscan' );
		$calls = self::command_calls( $redis, $reads );
		$counts = $s->room_counts(
			array(
				1 => $s->get_namespace(),
				2 => 'roomtop-counts',
				3 => 'roomtop-none',
			),
			'admin/online'
		);
		$this->assertSame( $calls, self::command_calls( $redis, $reads ), 'no room read whole' );
		$this->assertSame(
			array(
				1 => array(
					'entries' => 4,
					'users'   => array( 0, 3, 7 ),
					'updated' => $s->now() - 5,
				),
				2 => array(
					'entries' => 1,
					'users'   => array( 2 ),
					'updated' => $s->now() - 5,
				),
				3 => array(
					'entries' => 0,
					'users'   => array(),
					'updated' => 0,
				),
			),
			$counts,
			'd expired; user 0 is listed, as before'
		);
		$other->clear();
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
