<?php
/**
 * The public PHP functions behave as presence-api's, old and new surface (issue 11).
 *
 * @package Presence
 */

/**
 * Entry with a public, a nested and a private property (only public ones are stored).
 */
class Presence_DropIn_State {
	/**
	 * Public.
	 *
	 * @var string
	 */
	public $name = 'Ada';

	/**
	 * Nested object.
	 *
	 * @var object
	 */
	public $cursor;

	/**
	 * Private: a JSON round trip leaves it out.
	 *
	 * @var string
	 */
	private $secret = 'no';

	/**
	 * Builds the nested state.
	 */
	public function __construct() {
		$this->cursor = (object) array(
			'anchor' => (object) array( 'index' => 3 ),
			'head'   => 7,
		);
	}
}

/**
 * wp_set_presence() / wp_get_presence() / removals / exchange / leave and the predicates.
 */
class DropInApiTest extends Presence_TestCase {

	public function test_remove_user_presence_returns_true_and_fires_its_action() {
		$a     = $this->make_user();
		$fired = array();
		$this->add_test_filter(
			'removed_user_presence',
			static function ( $uid ) use ( &$fired ) {
				$fired[] = $uid;
			}
		);
		wp_set_presence( 'r1', 'a1', array(), $a );
		$this->assertTrue( wp_remove_user_presence( $a ) );
		$this->assertSame( array(), wp_get_presence( 'r1' ) );
		$this->assertTrue( wp_remove_user_presence( $a ), 'true when there was nothing' );
		$this->assertSame( array( $a, $a ), $fired );
	}

	public function test_object_state_reads_back_as_an_associative_array() {
		$uid = $this->make_user();
		$this->assertTrue( wp_set_presence( 'obj/room', 'c', new Presence_DropIn_State(), $uid ) );
		$this->assertSame(
			array(
				'name'   => 'Ada',
				'cursor' => array(
					'anchor' => array( 'index' => 3 ),
					'head'   => 7,
				),
			),
			wp_get_presence( 'obj/room' )[0]->data
		);
		$this->assertTrue( wp_set_presence( 'obj/room', 'd', array( 'user' => (object) array( 'id' => 5 ) ), $uid ) );
		$this->assertSame( array( 'user' => array( 'id' => 5 ) ), wp_get_presence( 'obj/room', null, 'd' )[0]->data, 'objects inside arrays too' );
		$this->assertTrue( wp_set_presence( 'obj/room', 'e', 42, $uid ) );
		$this->assertSame( array(), wp_get_presence( 'obj/room', null, 'e' )[0]->data, 'a scalar is []' );
	}

	public function test_default_ttl_is_150_and_the_filter_decides_reads_unless_a_timeout_is_given() {
		$this->assertSame( 150, WP_PRESENCE_DEFAULT_TTL );
		$uid = $this->make_user();
		wp_set_presence( 'ttl/room', 'c', array(), $uid );
		$entry = wp_presence_store()->get( 'ttl/room', 'c' );
		$this->assertSame( 150, $entry['expires'] - $entry['updated'] );

		wp_set_presence( 'ttl/room', 'long', array(), $uid, null, 600 );
		WP_Presence_Testing::advance( 200 );
		$this->assertSame( array( 'long' ), wp_list_pluck( wp_get_presence( 'ttl/room' ), 'client_id' ), 'unfiltered: every live entry' );
		$this->add_test_filter(
			'wp_presence_default_ttl',
			static function () {
				return 100;
			}
		);
		$this->assertSame( array(), wp_get_presence( 'ttl/room' ), 'the filter applies to reads' );
		$this->assertSame( array( 'long' ), wp_list_pluck( wp_get_presence( 'ttl/room', 300 ), 'client_id' ), 'an explicit timeout wins' );
	}

	public function test_client_prefix_keeps_only_matching_client_ids() {
		$uid = $this->make_user();
		wp_set_presence( 'p/room', 'yjs-1', array(), $uid );
		wp_set_presence( 'p/room', 'yjs-2', array(), $uid );
		wp_set_presence( 'p/room', 'other', array(), $uid );
		$ids = wp_list_pluck( wp_get_presence( 'p/room', null, 'yjs-' ), 'client_id' );
		sort( $ids );
		$this->assertSame( array( 'yjs-1', 'yjs-2' ), $ids );
		$this->assertCount( 3, wp_get_presence( 'p/room', null, '' ) );
	}

	public function test_date_gmt_and_expires_in() {
		$uid = $this->make_user();
		$now = WP_Presence_Testing::now();
		$this->assertTrue( wp_set_presence( 'd/room', 'past', array(), $uid, gmdate( 'Y-m-d H:i:s', $now - 100 ) ) );
		$entry = wp_presence_store()->get( 'd/room', 'past' );
		$this->assertEqualsWithDelta( 50, $entry['expires'] - $now, 1, 'it expires counting from $date_gmt' );
		$this->assertTrue( wp_set_presence( 'd/room', 'gone', array(), $uid, gmdate( 'Y-m-d H:i:s', $now - 1000 ) ) );
		$this->assertNull( wp_presence_store()->get( 'd/room', 'gone' ), 'already expired: nothing stored' );
		$this->assertFalse( wp_set_presence( 'd/room', 'bad', array(), $uid, '2026-13-01 00:00:00' ) );
		$this->assertFalse( wp_set_presence( 'd/room', 'bad', array(), $uid, 'yesterday' ) );
		$this->assertFalse( wp_set_presence( 'd/room', 'bad', array(), $uid, null, 0 ) );
		$this->assertNull( wp_presence_store()->get( 'd/room', 'bad' ) );

		$this->assertTrue( wp_set_presence( 'd/room', 'capped', array(), $uid, null, 99999 ) );
		$entry = wp_presence_store()->get( 'd/room', 'capped' );
		$this->assertSame( 3600, $entry['expires'] - $entry['updated'], 'capped by wp_presence_max_expires_in (3600)' );
		$this->add_test_filter(
			'wp_presence_max_expires_in',
			static function () {
				return 300;
			}
		);
		$this->assertTrue( wp_set_presence( 'd/room', 'capped2', array(), $uid, null, 1000 ) );
		$entry = wp_presence_store()->get( 'd/room', 'capped2' );
		$this->assertSame( 300, $entry['expires'] - $entry['updated'] );
	}

	public function test_unchanged_write_is_skipped_but_an_explicit_date_writes() {
		$uid = $this->make_user();
		wp_set_presence( 's/room', 'c', array( 'k' => 1 ), $uid );
		$t0 = wp_presence_store()->get( 's/room', 'c' )['updated'];
		WP_Presence_Testing::advance( 10 );
		$this->assertTrue( wp_set_presence( 's/room', 'c', array( 'k' => 1 ), $uid ) );
		$this->assertSame( $t0, wp_presence_store()->get( 's/room', 'c' )['updated'], 'only the timestamp would move: skipped' );
		$this->assertTrue( wp_set_presence( 's/room', 'c', array( 'k' => 1 ), $uid, gmdate( 'Y-m-d H:i:s', WP_Presence_Testing::now() ) ) );
		$this->assertGreaterThan( $t0, wp_presence_store()->get( 's/room', 'c' )['updated'] );
	}

	public function test_set_and_removed_presence_actions() {
		$uid    = $this->make_user();
		$events = array();
		$this->add_test_filter(
			'set_presence',
			static function ( ...$args ) use ( &$events ) {
				$events[] = array_merge( array( 'set' ), $args );
			},
			10,
			4
		);
		$this->add_test_filter(
			'removed_presence',
			static function ( ...$args ) use ( &$events ) {
				$events[] = array_merge( array( 'removed' ), $args );
			},
			10,
			2
		);
		wp_set_presence( 'h/room', 'c', (object) array( 'a' => 1 ), $uid );
		wp_remove_presence( 'h/room', 'c' );
		$this->assertSame(
			array(
				array( 'set', 'h/room', 'c', array( 'a' => 1 ), $uid ),
				array( 'removed', 'h/room', 'c' ),
			),
			$events
		);
	}

	public function test_exchange_writes_mine_and_returns_the_room() {
		$a = $this->make_user();
		$b = $this->make_user();
		wp_set_presence( 'x/room', 'b-1', array( 'who' => 'b' ), $b );
		WP_Presence_Testing::advance( 1 );
		wp_set_current_user( $a );
		$entries = wp_presence_exchange( 'x/room', 'a-1', (object) array( 'who' => 'a' ) );
		$this->assertSame( array( 'a-1', 'b-1' ), wp_list_pluck( $entries, 'client_id' ), 'mine included, newest first' );
		$this->assertSame( array( 'who' => 'a' ), $entries[0]->data );
		$this->assertSame( (string) $a, $entries[0]->user_id );
		$this->assertEquals( wp_get_presence( 'x/room' ), $entries, 'the same entries as a read' );
		$this->assertSame( array( 'b-1' ), wp_list_pluck( wp_presence_exchange( 'x/room', 'a-1', array( 'who' => 'a' ), 0, null, 'b-' ), 'client_id' ), 'prefix' );

		WP_Presence_Testing::advance( 5 );
		$entries = wp_presence_exchange( 'x/room', 'a-1', array( 'who' => 'a2' ) );
		$this->assertSame( array( 'who' => 'a2' ), $entries[0]->data, 'a change is written and read back at once' );

		$left = wp_presence_leave( 'x/room', 'a-1' );
		$this->assertSame( array( 'b-1' ), wp_list_pluck( $left, 'client_id' ) );
		$this->assertNull( wp_presence_store()->get( 'x/room', 'a-1' ) );

		$this->add_test_filter( 'wp_presence_recording_enabled', '__return_false' );
		$this->assertFalse( wp_presence_exchange( 'x/room', 'a-1', array() ) );
	}

	public function test_predicates_of_the_newer_surface() {
		foreach ( array( 'wp_presence_is_available', 'wp_presence_recording_enabled', 'wp_presence_feature_enabled', 'wp_presence_is_agent_user', 'wp_presence_network_aggregation_enabled', 'wp_presence_exchange', 'wp_presence_leave' ) as $fn ) {
			$this->assertTrue( function_exists( $fn ), $fn );
		}
		$this->assertTrue( wp_presence_is_available() );
		$this->assertTrue( wp_presence_feature_enabled( 'post-locks' ) );
		$uid = $this->make_user();
		$this->assertFalse( wp_presence_is_agent_user( $uid ) );
		$this->add_test_filter(
			'wp_presence_is_agent_user',
			static function ( $is, $user_id ) use ( $uid ) {
				return $user_id === $uid;
			},
			10,
			2
		);
		$this->assertTrue( wp_presence_is_agent_user( $uid ) );
		$this->assertFalse( wp_presence_is_agent_user( 0 ) );
		$this->assertSame( is_multisite() && ! wp_is_large_network(), wp_presence_network_aggregation_enabled() );
		$this->add_test_filter( 'wp_presence_recording_enabled', '__return_false' );
		$this->assertFalse( wp_presence_is_available() );
	}

	public function test_exchange_of_an_invisible_user_exists_only_for_them() {
		$eve = $this->make_user( 'editor' );
		$bob = $this->make_user( 'editor' );
		wp_set_user_presence_preference( $eve, 'invisible' );
		wp_set_presence( 'x/room', 'bob', array( 'b' => 1 ), $bob );
		wp_set_current_user( $eve );
		$mine = wp_presence_exchange( 'x/room', 'eve', array( 'e' => 1 ) );
		$ids  = wp_list_pluck( $mine, 'client_id' );
		sort( $ids );
		$this->assertSame( array( 'bob', 'eve' ), $ids, 'she reads her own entry back' );
		$again = wp_list_pluck( wp_presence_exchange( 'x/room', 'eve', array( 'e' => 2 ) ), 'data', 'client_id' );
		$this->assertSame( array( 'e' => 2 ), $again['eve'], 'a change of hers, read back at once' );
		wp_set_current_user( $bob );
		$this->assertSame( array( 'bob' ), wp_list_pluck( wp_get_presence( 'x/room' ), 'client_id' ), 'nobody else finds it' );
		$this->assertSame( array( 'bob' ), wp_list_pluck( wp_presence_exchange( 'x/room', 'bob', array( 'b' => 2 ) ), 'client_id' ) );
	}

	public function test_admin_room_changed_fires_on_row_changes_of_admin_online_only() {
		$uid   = $this->make_user( 'editor' );
		$eve   = $this->make_user( 'editor' );
		$admin = wp_presence_admin_room();
		$fired = 0;
		$this->add_test_filter(
			'wp_presence_admin_room_changed',
			static function () use ( &$fired ) {
				++$fired;
			},
			10,
			0
		);
		wp_set_presence( $admin, 'user-' . $uid, array( 'screen' => 'dashboard' ), $uid );
		$this->assertSame( 1, $fired, 'a new row in admin/online' );
		wp_set_presence( $admin, 'user-' . $uid, array( 'screen' => 'dashboard' ), $uid );
		$this->assertSame( 1, $fired, 'a skipped redundant write changes no row' );
		wp_set_presence( $admin, 'user-' . $uid, array( 'screen' => 'edit-post' ), $uid );
		$this->assertSame( 2, $fired, 'a changed row' );
		wp_set_presence( 'other/room', 'c', array( 'a' => 1 ), $uid );
		wp_remove_presence( 'other/room', 'c' );
		$this->assertSame( 2, $fired, 'other rooms do not count' );
		$this->assertTrue( wp_remove_presence( $admin, 'nobody' ) );
		$this->assertSame( 2, $fired, 'removing nothing changes nothing' );
		wp_remove_presence( $admin, 'user-' . $uid );
		$this->assertSame( 3, $fired, 'a removed row' );
		wp_set_presence( $admin, 'user-' . $uid, array( 'screen' => 'dashboard' ), $uid );
		$this->assertSame( 4, $fired );
		$this->assertTrue( wp_remove_user_presence( $uid ) );
		$this->assertSame( 5, $fired, 'wp_remove_user_presence() deleted a row there' );
		$this->assertTrue( wp_remove_user_presence( $uid ) );
		$this->assertSame( 5, $fired, 'and nothing when there was nothing' );

		wp_set_user_presence_preference( $eve, 'invisible' );
		wp_set_presence( $admin, 'user-' . $eve, array( 'screen' => 'dashboard' ), $eve );
		wp_set_presence( $admin, 'user-' . $eve, array( 'screen' => 'users' ), $eve );
		wp_remove_user_presence( $eve );
		$this->assertSame( 5, $fired, 'an invisible user changes nothing anyone can observe' );
	}
}
