<?php
/**
 * REST wp-presence/v1 answers as presence-api does (issue 11).
 *
 * @package Presence
 */

/**
 * Status codes, error codes, data sanitising, reserved ids, room counts.
 */
class DropInRestTest extends Presence_TestCase {

	/**
	 * POST one entry.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param mixed  $data      Data.
	 * @return WP_REST_Response
	 */
	private function post( $room, $client_id, $data = array() ) {
		return $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => $room, 'client_id' => $client_id, 'data' => $data ) );
	}

	public function test_post_answers_200_for_a_new_entry_and_a_refresh() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$this->assertSame( 200, $this->post( 'chat/r', 'c1', array( 'k' => 1 ) )->get_status() );
		$this->assertSame( 200, $this->post( 'chat/r', 'c1', array( 'k' => 2 ) )->get_status() );
		$this->assertSame( array( 'k' => 2 ), wp_get_presence( 'chat/r' )[0]->data );
	}

	public function test_permission_failures_use_rest_forbidden_401_then_403() {
		$editor = $this->make_user( 'editor' );
		$post   = $this->make_post( $editor );
		$room   = wp_presence_post_room( $post );
		$calls  = array(
			array( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) ),
			array( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'x', 'data' => array() ) ),
			array( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'x' ) ),
			array( 'GET', '/wp-presence/v1/presence/rooms', array() ),
		);
		foreach ( array( 0 => 401, $this->make_user( 'subscriber' ) => 403 ) as $user => $status ) {
			wp_set_current_user( $user );
			foreach ( $calls as $call ) {
				$r = $this->rest( $call[0], $call[1], $call[2] );
				$this->assertSame( $status, $r->get_status(), "{$call[0]} {$call[1]}" );
				$this->assertSame( 'rest_forbidden', $r->get_data()['code'], "{$call[0]} {$call[1]}" );
			}
		}
		wp_set_current_user( $this->make_user( 'author' ) ); // Cannot edit the editor's post.
		$r = $this->post( $room, 'mine' );
		$this->assertSame( 403, $r->get_status() );
		$this->assertSame( 'rest_forbidden', $r->get_data()['code'] );
		$this->assertSame( array(), wp_get_presence( $room ) );
	}

	public function test_data_over_10240_bytes_is_rest_invalid_param() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		// {"x":"…"} is 8 bytes plus the string.
		$this->assertSame( 200, $this->post( 'chat/r', 'fits', array( 'x' => str_repeat( 'a', 10232 ) ) )->get_status() );
		$r = $this->post( 'chat/r', 'big', array( 'x' => str_repeat( 'a', 10233 ) ) );
		$this->assertSame( 400, $r->get_status() );
		$this->assertSame( 'rest_invalid_param', $r->get_data()['code'] );
		$this->assertSame( array( 'fits' ), wp_list_pluck( wp_get_presence( 'chat/r' ), 'client_id' ) );
	}

	public function test_data_is_sanitised_not_rejected() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$r = $this->post(
			'chat/r',
			'c',
			array(
				'html'  => '<b>kept as sent</b> &amp;',
				'gone'  => null,
				'float' => 1.5,
				'flag'  => false,
				'list'  => array( 1, null, 'x' ),
				'deep'  => array( 'a' => array( 'b' => array( 'c' => 1 ) ) ),
				'three' => array( 'a' => array( 'b' => 1 ) ),
			)
		);
		$this->assertSame( 200, $r->get_status() );
		$this->assertSame(
			array(
				'html'  => '<b>kept as sent</b> &amp;',
				'float' => 1.5,
				'flag'  => false,
				'list'  => array( 0 => 1, 2 => 'x' ),
				'deep'  => array( 'a' => array() ),
				'three' => array( 'a' => array( 'b' => 1 ) ),
			),
			wp_get_presence( 'chat/r' )[0]->data
		);
	}

	public function test_reserved_client_ids_are_400() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		foreach ( array( '_lock', '_collab', '_' ) as $id ) {
			$r = $this->post( 'chat/r', $id );
			$this->assertSame( 400, $r->get_status(), $id );
			$this->assertSame( 'rest_invalid_param', $r->get_data()['code'], $id );
		}
		$this->assertSame( array(), wp_get_presence( 'chat/r' ) );
		$this->assertSame( 200, $this->post( 'chat/r', 'a_b' )->get_status(), 'only a leading underscore is reserved' );
	}

	public function test_rooms_carry_user_count() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_presence( 'chat/r', 'a1', array(), $a );
		wp_set_presence( 'chat/r', 'a2', array(), $a );
		wp_set_presence( 'chat/r', 'b1', array(), $b );
		wp_set_current_user( $a );
		$rooms = $this->rest( 'GET', '/wp-presence/v1/presence/rooms' )->get_data();
		$this->assertSame( array( 'chat/r' ), wp_list_pluck( $rooms, 'room' ) );
		$this->assertSame( 2, $rooms[0]['user_count'], 'users, not entries' );
		$this->assertCount( 2, $rooms[0]['users'] );
	}

	public function test_501_recording_off_and_503_storage_unavailable() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$this->add_test_filter( 'wp_presence_recording_enabled', '__return_false' );
		$r = $this->post( 'chat/r', 'c' );
		$this->assertSame( 501, $r->get_status() );
		remove_filter( 'wp_presence_recording_enabled', '__return_false' );

		$down   = new WP_Presence_Store_Unavailable( 'redis', 'Connection refused' );
		$filter = static function () use ( $down ) {
			return $down;
		};
		add_filter( 'wp_presence_store', $filter );
		try {
			wp_presence_store( true );
			$r = $this->post( 'chat/r', 'c' );
			$this->assertSame( 503, $r->get_status() );
			$this->assertSame( 'rest_presence_unavailable', $r->get_data()['code'] );
		} finally {
			remove_filter( 'wp_presence_store', $filter );
			wp_presence_store( true );
		}
		$this->assertSame( array(), wp_get_presence( 'chat/r' ) );
	}

	public function test_post_and_delete_fire_the_presence_api_actions() {
		$uid    = $this->make_user( 'editor' );
		$events = array();
		$this->add_test_filter(
			'set_presence',
			static function ( $room, $client_id, $state, $user_id ) use ( &$events ) {
				$events[] = array( 'set', $room, $client_id, $state, $user_id );
			},
			10,
			4
		);
		$this->add_test_filter(
			'removed_presence',
			static function ( $room, $client_id ) use ( &$events ) {
				$events[] = array( 'removed', $room, $client_id );
			},
			10,
			2
		);
		wp_set_current_user( $uid );
		$this->post( 'chat/r', 'c', array( 'k' => 'v' ) );
		$this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'chat/r', 'client_id' => 'c' ) );
		$this->assertSame(
			array(
				array( 'set', 'chat/r', 'c', array( 'k' => 'v' ), $uid ),
				array( 'removed', 'chat/r', 'c' ),
			),
			$events
		);
	}

	public function test_interpreted_keys_check_can_be_flipped_to_store_as_sent() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_current_user( $a );
		$bad = array( 'screen' => 'Not A Screen!', 'note' => 'x' );
		$this->assertSame( 400, $this->post( 'admin/online', 'mine', $bad )->get_status(), 'the bridge refuses by default' );
		$this->add_test_filter( 'wp_presence_rest_rejects_interpreted_data', '__return_false' );
		$this->assertSame( 200, $this->post( 'admin/online', 'mine', $bad )->get_status(), 'stored as sent, as presence-api' );
		$this->assertSame( $bad, wp_get_presence( 'admin/online' )[0]->data );
		wp_set_current_user( $b );
		$items = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data();
		$this->assertCount( 1, $items );
		$this->assertSame( array(), (array) $items[0]['data'], 'others still see no invalid screen, nor the caller\'s keys' );
	}
}
