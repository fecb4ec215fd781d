<?php
/**
 * The SQL store's queries per Heartbeat tick, and the version read along with get().
 *
 * Runs in the sql pass of tests/bridge/run.sh.
 *
 * @package Presence
 */

/**
 * WP_Presence_Store_SQL: what a tick costs, and that a merged read never answers for another
 * room, namespace or a later write.
 */
class SqlStoreQueriesTest extends Presence_TestCase {

	/**
	 * Queries recorded by the `query` filter.
	 *
	 * @var string[]
	 */
	private $queries = array();

	protected function setUp(): void {
		parent::setUp();
		if ( 'sql' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'SQL pass only.' );
		}
	}

	/**
	 * Runs one Heartbeat from a cold request state and returns its presence-table queries.
	 *
	 * @param int    $user_id   User.
	 * @param array  $data      Heartbeat data.
	 * @param string $screen_id Screen.
	 * @return array [ reply, presence queries ]
	 */
	private function tick( $user_id, array $data, $screen_id = 'dashboard' ) {
		wp_cache_flush();
		wp_load_alloptions();
		WP_Presence_Testing::reset_caches();
		wp_set_current_user( 0 );
		wp_set_current_user( $user_id );
		current_user_can( 'read' );
		$this->queries = array();
		$record        = function ( $sql ) {
			$this->queries[] = $sql;
			return $sql;
		};
		add_filter( 'query', $record );
		$reply = apply_filters( 'heartbeat_received', array(), $data, $screen_id );
		remove_filter( 'query', $record );
		$table = WP_Presence_Store_SQL::table();
		$mine  = array_values(
			array_filter(
				$this->queries,
				static function ( $q ) use ( $table ) {
					return (bool) preg_match( '/\b' . preg_quote( $table, '/' ) . '(_rooms)?\b/', $q );
				}
			)
		);
		return array( $reply['wp-presence'], $mine );
	}

	/**
	 * Issue 10 (SQL at 0.79 of the plugin off): each room's version was a query of its own right
	 * after the query that looked up the tab's entry in that room.
	 */
	public function test_a_steady_tick_reads_each_room_once() {
		$others = array();
		for ( $i = 0; $i < 5; $i++ ) {
			$others[] = $this->make_user( 'editor' );
			$this->heartbeat( end( $others ), $this->ping( 'tabother' . $i . 'x' ) );
		}
		$editor = $this->make_user( 'editor' );
		$post   = $this->make_post( $editor );
		$ping   = array(
			'screen'  => 'post',
			'post_id' => $post,
			'delta'   => 1,
		);
		$first  = $this->heartbeat( $editor, $this->ping( 'tabeditor1', $ping ), 'post' )['wp-presence'];
		$seen   = array();
		foreach ( $first['rooms'] as $room => $reply ) {
			$seen[ $room ] = (string) $reply['version'];
		}
		$this->assertCount( 2, $seen, 'admin/online and the post room' );

		list( $reply, $queries ) = $this->tick( $editor, $this->ping( 'tabeditor1', $ping + array( 'ack' => $first['ack'], 'seen' => $seen ) ), 'post' );
		$this->assertSame( array(), $reply['rooms'], 'steady' );
		$versions = preg_grep( '/^SELECT \(SELECT version/', $queries );
		$this->assertSame( array(), $versions, 'no version query of its own: each came with the entry lookup' );
		$this->assertCount( 3, $queries, "two entry lookups (with the rooms' versions) and the user's own entries:\n" . implode( "\n", $queries ) );

		// A change elsewhere still shows on the next tick.
		$this->heartbeat( $others[0], $this->ping( 'tabother0x', array( 'activity' => 'idle' ) ) );
		$this->heartbeat( $this->make_user( 'editor' ), $this->ping( 'tabnewuser1' ) );
		list( $reply ) = $this->tick( $editor, $this->ping( 'tabeditor1', $ping + array( 'ack' => $first['ack'], 'seen' => $seen ) ), 'post' );
		$this->assertSame( array( 'admin/online' ), array_keys( $reply['rooms'] ) );
	}

	public function test_a_version_read_with_get_answers_once_and_never_after_a_write() {
		$s = wp_presence_store();
		$s->upsert( 'r', 'a', 1, array(), 60 );
		$s->upsert( 'q', 'a', 1, array(), 60 );
		$v = $s->room_version( 'r' );

		$this->assertNotNull( $s->get( 'r', 'a' ) );
		$this->assertNull( $s->get( 'r', 'missing' ), 'a missing entry is still null' );
		$this->assertSame( $v, $s->room_version( 'r' ) );

		$s->get( 'r', 'a' );
		$s->upsert( 'r', 'b', 2, array(), 600 );
		$this->assertNotSame( $v, $s->room_version( 'r' ), 'a write of this store forgets what get() read' );

		$other = new WP_Presence_Store_SQL();
		$other->set_namespace( $s->get_namespace() );
		$s->get( 'r', 'a' );
		$before = $s->room_version( 'r' );
		$other->upsert( 'r', 'c', 3, array(), 600 );
		$this->assertNotSame( $before, $s->room_version( 'r' ), "each read serves one room_version() call: the next one sees another store's write" );

		$ns = $s->get_namespace();
		$s->get( 'q', 'a' );
		$s->set_namespace( $ns . '-other' );
		$this->assertSame( 0, $s->room_version( 'q' ), 'nor does it answer in another namespace' );
		$s->set_namespace( $ns );

		$s->get( 'r', 'a' );
		WP_Presence_Testing::advance( 61 );
		$this->assertNotSame( 0, $s->room_version( 'r' ), 'b and c live on' );
		$s->get( 'q', 'a' );
		$this->assertSame( 0, $s->room_version( 'q' ), 'an expired room, read with get(), is still reaped' );
	}
}
