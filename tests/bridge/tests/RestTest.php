<?php
/**
 * REST wp-presence/v1.
 *
 * @package Presence
 */

/**
 * Routes, status codes and headers of ANCHOR.md.
 */
class RestTest extends Presence_TestCase {

	public function test_routes_exist() {
		$routes = rest_get_server()->get_routes();
		$this->assertArrayHasKey( '/wp-presence/v1/presence', $routes );
		$this->assertArrayHasKey( '/wp-presence/v1/presence/rooms', $routes );
	}

	public function test_get_items_shape_headers_and_pagination() {
		$a = $this->make_user( 'editor' );
		for ( $i = 0; $i < 5; $i++ ) {
			wp_set_presence( 'admin/online', 'c' . $i, array( 'i' => $i ), $a );
		}
		wp_set_current_user( $a );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'per_page' => 2, 'page' => 2 ) );
		$this->assertSame( 200, $r->get_status() );
		$headers = $r->get_headers();
		$this->assertSame( 'no-store', $headers['Cache-Control'] );
		$this->assertSame( '5', $headers['X-WP-Total'] );
		$this->assertSame( '3', $headers['X-WP-TotalPages'] );
		$items = $r->get_data();
		$this->assertCount( 2, $items );
		$this->assertSame( array( 'room', 'client_id', 'user_id', 'display_name', 'avatar_url', 'data', 'date_gmt' ), array_keys( $items[0] ) );
		$this->assertSame( $a, $items[0]['user_id'] );
		$this->assertSame( get_userdata( $a )->display_name, $items[0]['display_name'] );
	}

	/**
	 * @dataProvider bad_per_page
	 */
	public function test_per_page_out_of_range_is_400( $per_page ) {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'per_page' => $per_page ) );
		$this->assertSame( 400, $r->get_status() );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence/rooms', array( 'per_page' => $per_page ) );
		$this->assertSame( 400, $r->get_status() );
	}

	public function bad_per_page() {
		return array( array( 0 ), array( -1 ), array( 101 ) );
	}

	public function test_missing_room_is_400() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$this->assertSame( 400, $this->rest( 'GET', '/wp-presence/v1/presence' )->get_status() );
	}

	public function test_post_creates_then_409_for_another_users_client_id() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		wp_set_current_user( $a );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'mine', 'data' => array( 'k' => 'v' ) ) );
		$this->assertSame( 200, $r->get_status(), 'presence-api answers 200 for a new entry too' );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$this->assertSame( array( 'k' => 'v' ), (array) $r->get_data()['data'] );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'mine', 'data' => array( 'k' => 'w' ) ) )->get_status() );

		wp_set_current_user( $b );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'mine', 'data' => array() ) );
		$this->assertSame( 409, $r->get_status() );
		$this->assertSame( 'rest_presence_client_id_conflict', $r->get_data()['code'] );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$this->assertSame( array( 'k' => 'w' ), wp_get_presence( 'admin/online' )[0]->data );

		// Once expired the id is free again.
		WP_Presence_Testing::advance( WP_PRESENCE_DEFAULT_TTL + 1 );
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'mine', 'data' => array() ) )->get_status() );
	}

	public function test_429_after_50_live_entries() {
		$a = $this->make_user( 'editor' );
		for ( $i = 0; $i < 50; $i++ ) {
			wp_set_presence( 'room/' . $i, 'c', array(), $a );
		}
		wp_set_current_user( $a );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'one-more', 'data' => array() ) );
		$this->assertSame( 429, $r->get_status() );
		$this->assertSame( 'rest_presence_limit_exceeded', $r->get_data()['code'] );
		// Refreshing an existing entry is not a new one.
		$this->assertSame( 200, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'room/3', 'client_id' => 'c', 'data' => array() ) )->get_status() );
	}

	public function test_400_for_large_data_deep_data_is_cut() {
		wp_set_current_user( $this->make_user( 'editor' ) );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'c', 'data' => array( 'x' => str_repeat( 'a', 10240 ) ) ) );
		$this->assertSame( 400, $r->get_status() );
		$this->assertSame( 'rest_invalid_param', $r->get_data()['code'], 'presence-api validates the size as an argument' );
		$this->assertArrayHasKey( 'data', $r->get_data()['data']['params'] );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
		$r = $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'c', 'data' => array( 'a' => array( 'b' => array( 'c' => array( 'd' => 1 ), 'e' => 2 ) ) ) ) );
		$this->assertSame( 200, $r->get_status() );
		$this->assertSame( array( 'a' => array( 'b' => array( 'e' => 2 ) ) ), wp_get_presence( 'admin/online' )[0]->data, 'the fourth level is cut' );
	}

	public function test_delete_owner_or_manage_options() {
		$a     = $this->make_user( 'editor' );
		$b     = $this->make_user( 'editor' );
		$admin = $this->make_user( 'administrator' );
		wp_set_presence( 'admin/online', 'a-entry', array(), $a );
		wp_set_current_user( $b );
		$r = $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'a-entry' ) );
		$this->assertSame( 403, $r->get_status() );
		$this->assertCount( 1, wp_get_presence( 'admin/online' ) );

		wp_set_current_user( $a );
		$r = $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'a-entry' ) );
		$this->assertSame( 200, $r->get_status() );
		$this->assertSame( array( 'deleted' => true, 'room' => 'admin/online' ), $r->get_data() );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );

		wp_set_presence( 'admin/online', 'a-entry', array(), $a );
		wp_set_current_user( $admin );
		$this->assertSame( 200, $this->rest( 'DELETE', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'a-entry' ) )->get_status() );
		$this->assertSame( array(), wp_get_presence( 'admin/online' ) );
	}

	public function test_401_logged_out_403_logged_in() {
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		$this->assertSame( 401, $r->get_status() );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$this->assertSame( 401, $this->rest( 'GET', '/wp-presence/v1/presence/rooms' )->get_status() );
		wp_set_current_user( $this->make_user( 'subscriber' ) );
		$r = $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) );
		$this->assertSame( 403, $r->get_status() );
		$this->assertSame( 'no-store', $r->get_headers()['Cache-Control'] );
		$this->assertSame( 403, $this->rest( 'POST', '/wp-presence/v1/presence', array( 'room' => 'admin/online', 'client_id' => 'x', 'data' => array() ) )->get_status() );
		$this->assertSame( 403, $this->rest( 'GET', '/wp-presence/v1/presence/rooms' )->get_status() );
	}

	public function test_rooms_filtered_by_access() {
		$ed     = $this->make_user( 'editor' );
		$author = $this->make_user( 'author' );
		$post   = $this->make_post( $ed );
		$mine   = $this->make_post( $author );
		wp_set_presence( wp_presence_post_room( $post ), 'e', array(), $ed );
		wp_set_presence( wp_presence_post_room( $mine ), 'a', array(), $author );
		wp_set_presence( 'admin/online', 'e', array(), $ed );

		wp_set_current_user( $author );
		$r     = $this->rest( 'GET', '/wp-presence/v1/presence/rooms' );
		$rooms = wp_list_pluck( $r->get_data(), 'room' );
		sort( $rooms );
		$this->assertSame( array( 'admin/online', wp_presence_post_room( $mine ) ), $rooms );
		$this->assertSame( '2', $r->get_headers()['X-WP-Total'] );

		wp_set_current_user( $ed );
		$this->assertCount( 3, $this->rest( 'GET', '/wp-presence/v1/presence/rooms' )->get_data() );
	}

	public function test_invisible_users_hidden_from_get() {
		$a = $this->make_user( 'editor' );
		$b = $this->make_user( 'editor' );
		$this->heartbeat( $a, $this->ping( 'tabaaaa1' ) );
		wp_set_user_presence_preference( $a, 'invisible' );
		wp_set_current_user( $b );
		$this->assertSame( array(), $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data() );
		wp_set_current_user( $a );
		$this->assertCount( 1, $this->rest( 'GET', '/wp-presence/v1/presence', array( 'room' => 'admin/online' ) )->get_data() );
	}
}
