<?php
/**
 * room_top() on the SQL fallback.
 *
 * Runs in the sql pass of tests/bridge/run.sh.
 *
 * @package Presence
 */

require_once __DIR__ . '/../includes/trait-presence-room-top-oracle.php';

/**
 * WP_Presence_Store_SQL::room_top() and room_user_count().
 */
class SqlRoomTopTest extends Presence_TestCase {

	use Presence_Room_Top_Oracle;

	protected function setUp(): void {
		parent::setUp();
		if ( 'sql' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'SQL pass only.' );
		}
	}

	/**
	 * Runs a callback and returns the queries it made.
	 *
	 * @param callable $callback Callback.
	 * @return string[]
	 */
	private static function queries_of( callable $callback ) {
		$queries = array();
		$record  = static function ( $sql ) use ( &$queries ) {
			$queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		try {
			$callback();
		} finally {
			remove_filter( 'query', $record );
		}
		return $queries;
	}

	public function test_the_contract_example() {
		$this->check_the_contract_example();
	}

	public function test_bad_arguments_are_refused() {
		$this->check_bad_arguments_are_refused();
	}

	public function test_the_answer_follows_every_change() {
		$this->check_top_follows_every_change();
	}

	/**
	 * Issue 10: a tick read every row of `admin/online` into PHP to send 21 users.
	 */
	public function test_one_query_returns_only_the_picked_rows() {
		global $wpdb;
		$s    = wp_presence_store();
		$room = wp_presence_admin_room();
		for ( $i = 1; $i <= 120; $i++ ) {
			$s->upsert( $room, 'tab' . $i, 1000 + $i, array( 'screen' => 'dashboard' ), 600 );
			if ( 0 === $i % 40 ) {
				WP_Presence_Testing::advance( 1 );
			}
		}
		$s->upsert( $room, 'anon', 0, array(), 600 );
		$top     = null;
		$queries = self::queries_of(
			static function () use ( $s, $room, &$top ) {
				$top = $s->room_top( $room, 20, 1005 );
			}
		);
		$this->assertCount( 1, $queries, 'one query' );
		$this->assertSame( 21, $wpdb->num_rows, 'only the rows of the picked users and the extra one reach PHP' );
		$this->assertSame( 120, $top['users'] );
		$this->assertSame( range( 1120, 1101 ), array_slice( wp_list_pluck( $top['entries'], 'user_id' ), 0, 20 ), 'the newest second; ties by the higher user id, newest write first' );
		$this->assertSame( 1005, $top['entries'][20]['user_id'] );
		$this->assertSame( $top, $s->room_top( $room, 20, 1005 ), 'the same order on every call' );
		$count   = null;
		$queries = self::queries_of(
			static function () use ( $s, $room, &$count ) {
				$count = $s->room_user_count( $room );
			}
		);
		$this->assertCount( 1, $queries );
		$this->assertSame( 120, $count );
	}

	public function test_clear_and_sweep() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'a', 1, array(), 5 );
		$s->upsert( 'r', 'b', 2, array(), 50 );
		WP_Presence_Testing::advance( 5 );
		$this->assertTopMatchesRoom( 'r', 5, 1, 'expired, not yet swept' );
		$s->sweep();
		$this->assertTopMatchesRoom( 'r', 5, 1, 'swept' );
		$s->clear();
		$this->assertSame(
			array(
				'entries' => array(),
				'users'   => 0,
			),
			$s->room_top( 'r', 5, 2 )
		);
		$this->assertSame( 0, $s->room_user_count( 'r' ) );
	}
}
