<?php
/**
 * The Redis backend where its semantics are subtle: versions, expiry, namespaces, concurrency.
 *
 * Runs in the redis pass of tests/bridge/run.sh (WP_PRESENCE_BACKEND=redis on 127.0.0.1:6391).
 *
 * @package Presence
 */

/**
 * WP_Presence_Store_Redis.
 */
class RedisStoreTest extends Presence_TestCase {

	/**
	 * Extra stores (other namespaces) to clear after the test.
	 *
	 * @var WP_Presence_Store_Redis[]
	 */
	private $others = array();

	protected function setUp(): void {
		parent::setUp();
		if ( ! $this->on_redis() ) {
			$this->markTestSkipped( 'Redis pass only.' );
		}
	}

	protected function tearDown(): void {
		foreach ( $this->others as $store ) {
			$store->clear();
		}
		$this->others = array();
		parent::tearDown();
	}

	/**
	 * A second connection in another namespace.
	 *
	 * @param string $ns Namespace.
	 * @return WP_Presence_Store_Redis
	 */
	private function other_store( $ns ) {
		$store = new WP_Presence_Store_Redis();
		$store->set_namespace( $ns );
		$store->clear();
		$this->others[] = $store;
		return $store;
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

	public function test_backend_and_reason() {
		$this->assertInstanceOf( WP_Presence_Store_Redis::class, wp_presence_store() );
		$this->assertStringContainsString( '127.0.0.1:6391/0', wp_presence_backend_reason() );
	}

	public function test_refresh_does_not_bump_version_but_changes_do() {
		$s = wp_presence_store();
		$this->assertSame( 0, $s->room_version( 'r' ), 'empty room' );
		$this->assertTrue( $s->upsert( 'r', 'a', 1, array( 'x' => 1 ), 60 ) );
		$v1 = $s->room_version( 'r' );
		$this->assertNotSame( 0, $v1 );
		$this->assertSame( $v1, $s->room_version( 'r' ), 'reads do not bump' );

		WP_Presence_Testing::advance( 5 );
		$this->assertFalse( $s->upsert( 'r', 'a', 1, array( 'x' => 1 ), 60 ), 'refresh' );
		$this->assertSame( $v1, $s->room_version( 'r' ), 'a refresh keeps the version' );
		$entry = $s->get( 'r', 'a' );
		$this->assertSame( $s->now(), $entry['updated'], 'but moves the timestamps' );
		$this->assertSame( $s->now() + 60, $entry['expires'] );

		$this->assertTrue( $s->upsert( 'r', 'a', 1, array( 'x' => 2 ), 60 ), 'new data' );
		$v2 = $s->room_version( 'r' );
		$this->assertNotSame( $v1, $v2 );
		$this->assertTrue( $s->upsert( 'r', 'a', 2, array( 'x' => 2 ), 60 ), 'new user' );
		$v3 = $s->room_version( 'r' );
		$this->assertNotSame( $v2, $v3 );
		$this->assertSame( array(), $s->user_entries( 1 ), 'the old user no longer owns it' );
		$this->assertCount( 1, $s->user_entries( 2 ) );
		$this->assertTrue( $s->upsert( 'r', 'b', 2, array(), 60 ), 'new entry' );
		$v4 = $s->room_version( 'r' );
		$this->assertNotSame( $v3, $v4 );
		$this->assertTrue( $s->remove( 'r', 'b' ) );
		$this->assertFalse( $s->remove( 'r', 'b' ) );
		$this->assertNotContains( $s->room_version( 'r' ), array( 0, $v4 ), 'removal' );

		$rooms = $s->rooms( 'r' );
		$this->assertCount( 1, $rooms );
		$this->assertSame( $s->room_version( 'r' ), $rooms[0]['version'], 'rooms() reports the same version' );
	}

	public function test_expiry_bumps_version_and_versions_are_never_reused() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'short', 1, array(), 5 );
		$s->upsert( 'r', 'long', 2, array(), 100 );
		$v = $s->room_version( 'r' );
		WP_Presence_Testing::advance( 5 );
		$this->assertNull( $s->get( 'r', 'short' ), 'expires <= now is gone' );
		$this->assertSame( array( 'long' ), wp_list_pluck( $s->room( 'r' ), 'client_id' ) );
		$v2 = $s->room_version( 'r' );
		$this->assertNotSame( $v, $v2, 'expiry bumps the version' );
		$this->assertSame( array(), $s->user_entries( 1 ) );

		$this->assertTrue( $s->remove( 'r', 'long' ) );
		$this->assertSame( 0, $s->room_version( 'r' ), 'empty room' );
		$this->assertSame( array(), $s->rooms() );
		$s->upsert( 'r', 'again', 1, array(), 10 );
		$this->assertNotContains( $s->room_version( 'r' ), array( 0, $v, $v2 ), 'a refilled room never repeats a version' );
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
	 * Issue 10 follow-up: on Redis the site limit's count read every value of every room (HVALS in
	 * the `rooms` op) on each new entry, so bringing 5000 users online took long enough for the
	 * first ones to expire, and a bench's steady ticks kept re-adding them (new versions, full
	 * replies). The count must read room sizes only, and still count right.
	 */
	public function test_a_new_entry_counts_the_site_without_reading_its_entries() {
		$s = wp_presence_store();
		for ( $i = 1; $i <= 40; $i++ ) {
			$s->upsert( wp_presence_admin_room(), 'tab' . $i, 1000 + $i, array( 'screen' => 'dashboard' ), 60 );
		}
		$s->upsert( 'postType/post:5', 'editor-1001', 1001, array( 'screen' => 'post' ), 60 );
		$user  = $this->make_user( 'editor' );
		$redis = $this->raw();
		$reads = array( 'hvals', 'hgetall', 'hscan' );
		$calls = self::command_calls( $redis, $reads );

		$this->assertTrue( wp_set_presence( 'chat/new', 'c', array( 'a' => 1 ), $user, null, 600 ), 'a new entry, checked against the site limit' );
		$this->assertSame( $calls, self::command_calls( $redis, $reads ), 'no room was read whole for the check' );
		$this->assertSame( 42, wp_presence_site_entry_count(), 'both rooms and the new entry' );

		WP_Presence_Testing::advance( 61 );
		$this->assertSame( 1, wp_presence_site_entry_count(), 'expired entries do not count' );
		$this->assertSame( array( 'chat/new' ), wp_list_pluck( $s->rooms(), 'room' ), 'and their emptied rooms are forgotten' );
	}

	public function test_a_steady_dashboard_tick_reads_no_room_whole() {
		$editors = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$editors[ $i ] = $this->make_user( 'editor' );
			$post          = $this->make_post( $editors[ $i ] );
			$this->heartbeat( $editors[ $i ], $this->ping( 'tabeditor' . $i, array( 'screen' => 'post', 'post_id' => $post ) ), 'post' );
		}
		$viewer = $this->make_user( 'editor' );
		$first  = $this->heartbeat( $viewer, $this->ping( 'tabviewer1', array( 'delta' => 1 ) ) )['wp-presence'];
		$this->assertCount( 3, $first['active_posts']['posts'] );
		$seen  = array(
			'admin/online' => (string) $first['rooms']['admin/online']['version'],
			'active_posts' => $first['active_posts']['version'],
		);
		$redis = $this->raw();
		$reads = array( 'hvals', 'hgetall', 'hscan' );
		$calls = self::command_calls( $redis, $reads );
		$again = $this->heartbeat(
			$viewer,
			$this->ping(
				'tabviewer1',
				array(
					'delta' => 1,
					'ack'   => $first['ack'],
					'seen'  => $seen,
				)
			)
		)['wp-presence'];
		$this->assertSame( array(), $again['rooms'], 'nothing changed' );
		$this->assertArrayNotHasKey( 'active_posts', $again );
		$this->assertSame( $calls, self::command_calls( $redis, $reads ), 'versions only: no room was read whole' );

		$names = wp_list_pluck( wp_presence_store()->rooms( 'postType/' ), 'version', 'room' );
		$this->assertSame( $names, wp_list_pluck( wp_presence_store()->room_versions( 'postType/' ), 'version', 'room' ), 'the same versions as rooms()' );
	}

	public function test_expiry_seen_by_sweep_and_rooms() {
		$s = wp_presence_store();
		$s->upsert( 'a/1', 'c', 1, array(), 5 );
		$s->upsert( 'a/2', 'c', 1, array(), 50 );
		$s->upsert( 'b/1', 'c', 2, array(), 50 );
		$other = $this->other_store( 'redis-test-other' );
		$other->upsert( 'a/1', 'c', 1, array(), 5 );
		$this->assertSame( array( 'a/1', 'a/2' ), wp_list_pluck( $s->rooms( 'a/' ), 'room' ) );
		WP_Presence_Testing::advance( 6 );
		$this->assertGreaterThanOrEqual( 2, $s->sweep(), 'both namespaces' );
		$this->assertSame( 0, $other->room_version( 'a/1' ) );
		$this->assertSame( array( 'a/2' ), wp_list_pluck( $s->rooms( 'a/' ), 'room' ) );
		$rows = $s->rooms();
		$this->assertSame( array( 'a/2', 'b/1' ), wp_list_pluck( $rows, 'room' ) );
		$this->assertSame( 1, $rows[0]['entries'] );
		$this->assertSame( 1, $rows[0]['users'] );
		$this->assertEqualsWithDelta( $s->now(), $rows[0]['updated'] + 6, 1 );
	}

	public function test_room_order_and_max_age() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'old', 1, array(), 100 );
		WP_Presence_Testing::advance( 10 );
		$s->upsert( 'r', 'mid', 2, array(), 100 );
		$s->upsert( 'r', 'new', 3, array(), 100 );
		$this->assertSame( array( 'new', 'mid', 'old' ), wp_list_pluck( $s->room( 'r' ), 'client_id' ), 'newest first, latest write first on a tie' );
		$this->assertSame( array( 'new', 'mid' ), wp_list_pluck( $s->room( 'r', 10 ), 'client_id' ), 'updated > now - max_age' );
		$this->assertSame( array( 'new', 'mid', 'old' ), wp_list_pluck( $s->room( 'r', 11 ), 'client_id' ) );
		$rows = $s->rooms();
		$this->assertSame( 3, $rows[0]['users'] );
	}

	public function test_data_round_trips() {
		$s    = wp_presence_store();
		$data = array(
			'screen' => 'edit|post',
			'title'  => "Ünïcode <b>\"quoted\"</b>\n|pipe|",
			'n'      => 12,
			'f'      => 1.5,
			'b'      => false,
			'null'   => null,
			'list'   => array( 1, 2, array( 'deep' => true ) ),
			7        => 'int key',
		);
		$s->upsert( 'r|with:colons', "client|1\n", 3, $data, 60 );
		$entry = $s->get( 'r|with:colons', "client|1\n" );
		$this->assertSame( $data, $entry['data'] );
		$this->assertSame( 3, $entry['user_id'] );
		$this->assertSame( "client|1\n", $s->user_entries( 3 )[0]['client_id'] );
		$this->assertSame( 'r|with:colons', $s->user_entries( 3 )[0]['room'] );
	}

	public function test_validation_matches_the_extension() {
		$s = wp_presence_store();
		foreach ( array(
			array( '', 'c', 1, 60 ),
			array( str_repeat( 'r', 256 ), 'c', 1, 60 ),
			array( 'r', '', 1, 60 ),
			array( 'r', 'c', -1, 60 ),
			array( 'r', 'c', 1, 0 ),
			array( 'r', 'c', 1, 86401 ),
		) as $args ) {
			try {
				$s->upsert( $args[0], $args[1], $args[2], array(), $args[3] );
				$this->fail( 'accepted ' . wp_json_encode( $args ) );
			} catch ( ValueError $e ) {
				$this->assertNotSame( '', $e->getMessage() );
			}
		}
		$this->expectException( ValueError::class );
		$s->upsert( 'r', 'c', 1, array( 'big' => str_repeat( 'x', 17000 ) ), 60 );
	}

	public function test_namespaces_are_isolated() {
		$s = wp_presence_store();
		$a = $this->other_store( 'redis-test-a' );
		$b = $this->other_store( 'redis-test-a:r:x' ); // Would collide without the length prefix.
		$a->upsert( 'x:r:room', 'c', 5, array( 'who' => 'a' ), 60 );
		$b->upsert( 'room', 'c', 5, array( 'who' => 'b' ), 60 );
		$s->upsert( 'room', 'c', 5, array( 'who' => 'site' ), 60 );

		$this->assertSame( 'b', $b->get( 'room', 'c' )['data']['who'] );
		$this->assertSame( 'site', $s->get( 'room', 'c' )['data']['who'] );
		$this->assertNull( $a->get( 'room', 'c' ) );
		$this->assertSame( array( 'x:r:room' ), wp_list_pluck( $a->rooms(), 'room' ) );
		$this->assertCount( 1, $s->user_entries( 5 ) );

		$this->assertSame( 1, $b->remove_user( 5 ) );
		$this->assertNotNull( $a->get( 'x:r:room', 'c' ), 'remove_user stays in its namespace' );
		$this->assertNotNull( $s->get( 'room', 'c' ) );

		$this->assertSame( 1, $a->clear() );
		$this->assertSame( 'site', $s->get( 'room', 'c' )['data']['who'], 'clear stays in its namespace' );

		// Every key lives under the configured prefix.
		$prefix = WP_Presence_Store_Redis::config()['prefix'];
		foreach ( $this->raw()->keys( '*' ) as $key ) {
			$this->assertStringStartsWith( $prefix, $key );
		}
	}

	public function test_global_prefix_isolates_stores() {
		$config = array( 'prefix' => 'wp_presence_other_install:' );
		$other  = new WP_Presence_Store_Redis( $config );
		$other->set_namespace( wp_presence_store()->get_namespace() );
		wp_presence_store()->upsert( 'r', 'c', 1, array(), 60 );
		$this->assertSame( array(), $other->room( 'r' ) );
		$this->assertSame( 0, $other->room_version( 'r' ) );
		$other->upsert( 'r', 'd', 1, array(), 60 );
		$this->assertSame( array( 'c' ), wp_list_pluck( wp_presence_store()->room( 'r' ), 'client_id' ) );
		$other->clear();
		$this->raw()->del( $this->raw()->keys( 'wp_presence_other_install:*' ) );
	}

	public function test_script_is_reloaded_after_script_flush() {
		$s = wp_presence_store();
		$this->raw()->script( 'flush' );
		$this->assertTrue( $s->upsert( 'r', 'c', 1, array(), 60 ), 'EVAL after NOSCRIPT' );
		$this->assertCount( 1, $s->room( 'r' ) );
	}

	public function test_clock_is_shared_through_redis() {
		$s      = wp_presence_store();
		$other  = new WP_Presence_Store_Redis();
		$before = $other->now();
		$this->assertEqualsWithDelta( $s->now(), $before, 1 );
		WP_Presence_Testing::advance( 100 );
		$this->assertEqualsWithDelta( $before + 100, $other->now(), 1, 'another connection sees the offset' );
	}

	public function test_unreachable_redis_makes_presence_unavailable_and_says_why() {
		$r = shell_exec( escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( 'define( "WP_PRESENCE_BACKEND", "redis" ); define( "WP_PRESENCE_REDIS", array( "host" => "127.0.0.1", "port" => 1, "timeout" => 0.5 ) ); $_SERVER["HTTP_HOST"] = "127.0.0.1:8101"; require "' . ABSPATH . 'wp-load.php"; echo "<<", wp_presence_backend(), "|", wp_presence_backend_reason(), "|", var_export( wp_presence_is_available(), true ), "|", count( wp_get_presence( "admin/online" ) ), ">>";' ) . ' 2>&1' );
		// Not the SQL table: servers that reach Redis and servers that do not would split presence.
		$this->assertMatchesRegularExpression( '/<<redis\|WP_PRESENCE_BACKEND asks for Redis, but the Redis server cannot be used \(127\.0\.0\.1:1\/0: .+\)\. Presence is unavailable until it answers again .+\|false\|0>>/s', (string) $r );
	}

	public function test_concurrent_writers_lose_nothing() {
		if ( ! function_exists( 'pcntl_fork' ) || ! function_exists( 'posix_kill' ) ) {
			$this->markTestSkipped( 'pcntl and posix are needed.' );
		}
		$s       = wp_presence_store();
		$ns      = $s->get_namespace();
		$workers = 4;
		$writes  = 60;
		$v0      = $s->room_version( 'busy' );
		$pids    = array();
		for ( $w = 1; $w <= $workers; $w++ ) {
			$pid = pcntl_fork();
			$this->assertNotSame( -1, $pid, 'fork' );
			if ( 0 === $pid ) {
				// Child: its own connection; no WordPress shutdown (it would close the parent's
				// MySQL connection), so it ends with SIGKILL whatever happens.
				try {
					$store = new WP_Presence_Store_Redis();
					$store->set_namespace( $ns );
					for ( $i = 0; $i < $writes; $i++ ) {
						$store->upsert( 'busy', "w{$w}-{$i}", 100 + $w, array( 'i' => $i ), 300 );
						$store->upsert( 'busy', 'shared', 100 + $w, array( 'w' => $w, 'i' => $i, 'pad' => str_repeat( (string) $w, 200 ) ), 300 );
						$store->upsert( 'room-' . ( $i % 5 ), "w{$w}", 100 + $w, array(), 300 );
					}
				} finally {
					posix_kill( posix_getpid(), SIGKILL );
				}
			}
			$pids[] = $pid;
		}
		foreach ( $pids as $pid ) {
			pcntl_waitpid( $pid, $status );
		}
		$entries = $s->room( 'busy' );
		$this->assertCount( $workers * $writes + 1, $entries, 'no lost entries' );
		$shared = $s->get( 'busy', 'shared' );
		$w      = $shared['data']['w'];
		$this->assertSame( 100 + $w, $shared['user_id'], 'the entry is not torn' );
		$this->assertSame( str_repeat( (string) $w, 200 ), $shared['data']['pad'] );
		for ( $w = 1; $w <= $workers; $w++ ) {
			$mine = $s->user_entries( 100 + $w );
			$this->assertGreaterThanOrEqual( $writes + 5, count( $mine ), "user index of worker $w" );
			$this->assertLessThanOrEqual( $writes + 6, count( $mine ) );
		}
		$rooms = $s->rooms( 'room-' );
		$this->assertCount( 5, $rooms );
		foreach ( $rooms as $row ) {
			$this->assertSame( $workers, $row['entries'] );
			$this->assertSame( $workers, $row['users'] );
		}
		$this->assertNotSame( $v0, $s->room_version( 'busy' ) );
		$this->assertSame( $workers * $writes + 1 + 5 * $workers, $s->clear() );
	}

	public function test_outside_test_mode_the_clock_is_read_once_per_few_seconds() {
		$store = $this->other_store( 'clock-' . wp_generate_password( 6, false ) );
		$moves = new ReflectionProperty( $store, 'clock_moves' );
		$moves->setAccessible( true );
		$moves->setValue( $store, false ); // As on a site: WP_PRESENCE_TESTING is not defined.
		$redis = $this->raw();
		$time  = (int) $redis->time()[0];
		$calls = self::command_calls( $redis, array( 'evalsha', 'eval' ) );
		$first = $store->now();
		$this->assertEqualsWithDelta( $time, $first, 1, 'Redis\'s clock' );
		$this->assertSame( $first, $store->now() );
		$this->assertSame( $first, $store->now() );
		// One script call for the three (INFO itself is not a script).
		$this->assertSame( 1, self::command_calls( $redis, array( 'evalsha', 'eval' ) ) - $calls );

		// Past a few seconds of this process's clock it is read again.
		$clock = new ReflectionProperty( $store, 'clock' );
		$clock->setAccessible( true );
		$clock->setValue( $store, array( $first - 100, microtime( true ) - 6 ) );
		$this->assertEqualsWithDelta( (int) $redis->time()[0], $store->now(), 1, 'read again' );
		$this->assertSame( 2, self::command_calls( $redis, array( 'evalsha', 'eval' ) ) - $calls );
		// Carried on with the process's clock in between.
		$clock->setValue( $store, array( $first, microtime( true ) - 2.5 ) );
		$this->assertSame( $first + 2, $store->now() );

		// In test mode every call reads it: the test offset moves it at once.
		$moves->setValue( $store, true );
		$store->advance( 30 );
		try {
			$this->assertEqualsWithDelta( (int) $redis->time()[0] + 30, $store->now(), 1 );
		} finally {
			$store->reset_clock();
		}
	}

	public function test_room_top_and_room_versions_read_values_in_one_hmget() {
		$store = wp_presence_store();
		for ( $u = 1; $u <= 6; $u++ ) {
			$store->upsert( 'admin/online', "tab{$u}a", $u, array( 'n' => $u ), 60 );
			$store->upsert( 'admin/online', "tab{$u}b", $u, array( 'n' => -$u ), 60 );
			$store->upsert( "postType/post:{$u}", "tab{$u}a", $u, array(), 60 );
		}
		$redis  = $this->raw();
		$counts = static function () use ( $redis ) {
			return array( self::command_calls( $redis, array( 'hget' ) ), self::command_calls( $redis, array( 'hmget' ) ), self::command_calls( $redis, array( 'exists' ) ) );
		};
		$before = $counts();
		$top    = $store->room_top( 'admin/online', 4, 6 );
		$after  = $counts();
		$this->assertSame( 6, $top['users'] );
		$this->assertCount( 8, $top['entries'], 'users 6 to 3, newest first, two entries each (the extra user 6 is among them)' );
		$this->assertSame( array( 0, 1 ), array( $after[0] - $before[0], $after[1] - $before[1] ), 'no HGET, one HMGET for every picked user' );

		$before   = $counts();
		$versions = $store->room_versions( 'postType/' );
		$after    = $counts();
		$this->assertCount( 6, $versions );
		$this->assertSame( array( 0, 1 ), array( $after[0] - $before[0], $after[1] - $before[1] ), 'one HMGET for the versions' );
		$this->assertLessThanOrEqual( 1, $after[2] - $before[2], 'no EXISTS per room (one: the script\'s index check)' );
		$this->assertSame( wp_list_pluck( $store->rooms( 'postType/' ), 'version', 'room' ), wp_list_pluck( $versions, 'version', 'room' ) );
	}
}
