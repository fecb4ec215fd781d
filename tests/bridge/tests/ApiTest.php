<?php
/**
 * Contract functions (presence-api compatible).
 *
 * @package Presence
 */

/**
 * wp_get_presence() & co.
 */
class ApiTest extends Presence_TestCase {

	public function test_set_and_get_keep_presence_api_shape() {
		$uid = $this->make_user( 'editor' );
		$this->assertTrue( wp_set_presence( 'my/room', 'c1', array( 'x' => 1, 'y' => array( 'z' => 'a' ) ), $uid ) );
		$entries = wp_get_presence( 'my/room' );
		$this->assertCount( 1, $entries );
		$e = $entries[0];
		$this->assertIsObject( $e );
		$this->assertSame( array( 'room', 'client_id', 'user_id', 'data', 'date_gmt' ), array_keys( get_object_vars( $e ) ) );
		$this->assertSame( 'my/room', $e->room );
		$this->assertSame( 'c1', $e->client_id );
		$this->assertSame( (string) $uid, $e->user_id );
		$this->assertSame( array( 'x' => 1, 'y' => array( 'z' => 'a' ) ), $e->data );
		$this->assertMatchesRegularExpression( '/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $e->date_gmt );
		$this->assertSame( gmdate( 'Y-m-d H:i:s', wp_presence_store()->get( 'my/room', 'c1' )['updated'] ), $e->date_gmt );
		$this->assertLessThanOrEqual( 1, abs( strtotime( $e->date_gmt . ' UTC' ) - WP_Presence_Testing::now() ) );
	}

	public function test_non_array_state_reads_back_as_empty_array_and_user_defaults_to_current() {
		$uid = $this->make_user( 'author' );
		wp_set_current_user( $uid );
		$this->assertTrue( wp_set_presence( 'my/room', 'c1', 'not an array' ) );
		$e = wp_get_presence( 'my/room' )[0];
		$this->assertSame( array(), $e->data );
		$this->assertSame( (string) $uid, $e->user_id );
	}

	public function test_newest_first() {
		wp_set_presence( 'r', 'old', array(), 1 );
		WP_Presence_Testing::advance( 2 );
		wp_set_presence( 'r', 'new', array(), 1 );
		$this->assertSame( array( 'new', 'old' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
		WP_Presence_Testing::advance( 2 );
		wp_set_presence( 'r', 'old', array( 'again' => 1 ), 1 );
		$this->assertSame( array( 'old', 'new' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
	}

	public function test_default_ttl_expires_entries() {
		wp_set_presence( 'r', 'c', array(), 1 );
		WP_Presence_Testing::advance( WP_PRESENCE_DEFAULT_TTL - 2 ); // One second of slack for the real clock ticking.
		$this->assertCount( 1, wp_get_presence( 'r' ) );
		WP_Presence_Testing::advance( 3 );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
	}

	public function test_ttl_filter() {
		$this->add_test_filter(
			'wp_presence_default_ttl',
			static function () {
				return 10;
			}
		);
		wp_set_presence( 'r', 'c', array(), 1 );
		WP_Presence_Testing::advance( 11 );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
	}

	public function test_timeout_argument_filters_by_age_null_returns_every_live_entry() {
		wp_set_presence( 'r', 'old', array(), 1 );
		WP_Presence_Testing::advance( 30 );
		wp_set_presence( 'r', 'new', array(), 1 );
		$this->assertSame( array( 'new' ), wp_list_pluck( wp_get_presence( 'r', 10 ), 'client_id' ) );
		$this->assertSame( array( 'new', 'old' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
		$this->assertSame( array( 'new', 'old' ), wp_list_pluck( wp_get_presence( 'r', 60 ), 'client_id' ) );
	}

	public function test_remove_presence_returns_true_even_without_entry() {
		wp_set_presence( 'r', 'c', array(), 1 );
		$this->assertTrue( wp_remove_presence( 'r', 'c' ) );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
		$this->assertTrue( wp_remove_presence( 'r', 'nothing-here' ) );
	}

	public function test_remove_user_presence_removes_only_that_user() {
		$a = $this->make_user();
		$b = $this->make_user();
		wp_set_presence( 'r1', 'a1', array(), $a );
		wp_set_presence( 'r2', 'a2', array(), $a );
		wp_set_presence( 'r1', 'b1', array(), $b );
		$this->assertTrue( wp_remove_user_presence( $a ) );
		$this->assertSame( array( 'b1' ), wp_list_pluck( wp_get_presence( 'r1' ), 'client_id' ) );
		$this->assertSame( array(), wp_get_presence( 'r2' ) );
	}

	public function test_invalid_keys_are_refused() {
		$this->assertFalse( wp_set_presence( '', 'c', array(), 1 ) );
		$this->assertFalse( wp_set_presence( 'r', '', array(), 1 ) );
		$this->assertFalse( wp_set_presence( str_repeat( 'r', 192 ), 'c', array(), 1 ) );
		$this->assertTrue( wp_set_presence( str_repeat( 'r', 191 ), 'c', array(), 1 ) );
		$this->assertFalse( wp_set_presence( 'r', 'c', array( 'big' => str_repeat( 'x', 17000 ) ), 1 ) );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
	}

	public function test_rooms_and_access() {
		$this->assertSame( 'admin/online', wp_presence_admin_room() );
		$uid  = $this->make_user( 'editor' );
		$post = $this->make_post( $uid );
		$page = $this->make_post( $uid, array( 'post_type' => 'page' ) );
		$this->assertSame( 'postType/post:' . $post, wp_presence_post_room( $post ) );
		$this->assertSame( 'postType/page:' . $page, wp_presence_post_room( get_post( $page ) ) );
		$this->assertFalse( wp_presence_post_room( 999999 ) );
		register_post_type( 'presence_nosupport', array( 'public' => true ) );
		$other = $this->make_post( $uid, array( 'post_type' => 'presence_nosupport' ) );
		$this->assertFalse( wp_presence_post_room( $other ) );
		unregister_post_type( 'presence_nosupport' );

		$this->assertFalse( wp_can_access_presence_room( 'admin/online', 0 ) );
		$this->assertTrue( wp_can_access_presence_room( 'admin/online', $uid ) );
		$this->assertTrue( wp_can_access_presence_room( 'postType/post:' . $post, $uid ) );
		$this->assertFalse( wp_can_access_presence_room( 'postType/post:999999', $uid ), 'missing post' );
		$this->assertFalse( wp_can_access_presence_room( 'postType/page:' . $post, $uid ), 'type mismatch' );
	}

	public function test_entries_are_isolated_per_namespace() {
		wp_set_presence( 'r', 'here', array(), 1 );
		$store = wp_presence_store();
		$mine  = $store->get_namespace();
		$store->set_namespace( $mine . '-other' );
		try {
			$this->assertSame( array(), wp_get_presence( 'r' ) );
			wp_set_presence( 'r', 'there', array(), 1 );
			$this->assertSame( array( 'there' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
			WP_Presence_Testing::reset();
		} finally {
			$store->set_namespace( $mine );
		}
		$this->assertSame( array( 'here' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
	}

	public function test_namespace_is_derived_from_install_and_blog() {
		$ns = wp_presence_namespace();
		$this->assertMatchesRegularExpression( '/^wp-[0-9a-f]{12}-' . get_current_blog_id() . '$/', $ns );
		$this->assertNotSame( $ns, wp_presence_namespace( 99 ) );
		$this->assertSame( $ns, wp_presence_store()->get_namespace() );
	}

	public function test_room_version_changes_on_content_not_on_refresh() {
		$store = wp_presence_store();
		$this->assertSame( 0, $store->room_version( 'v' ) );
		$this->assertTrue( $store->upsert( 'v', 'a', 1, array( 'k' => 1 ), 60 ) );
		$v1 = $store->room_version( 'v' );
		$this->assertNotSame( 0, $v1 );
		$this->assertFalse( $store->upsert( 'v', 'a', 1, array( 'k' => 1 ), 60 ), 'refresh is not a change' );
		$this->assertSame( $v1, $store->room_version( 'v' ) );
		$this->assertTrue( $store->upsert( 'v', 'a', 1, array( 'k' => 2 ), 60 ) );
		$v2 = $store->room_version( 'v' );
		$this->assertNotSame( $v1, $v2 );
		$store->upsert( 'v', 'b', 2, array(), 5 );
		$v3 = $store->room_version( 'v' );
		$this->assertNotSame( $v2, $v3 );
		WP_Presence_Testing::advance( 6 );
		$this->assertNotSame( $v3, $store->room_version( 'v' ), 'expiry changes the version' );
	}

	public function test_rooms_listing() {
		$store = wp_presence_store();
		$store->upsert( 'postType/post:1', 'a', 1, array(), 60 );
		$store->upsert( 'postType/post:1', 'b', 1, array(), 60 );
		$store->upsert( 'postType/post:1', 'c', 2, array(), 60 );
		$store->upsert( 'admin/online', 'a', 1, array(), 60 );
		$rooms = $store->rooms( 'postType/' );
		$this->assertCount( 1, $rooms );
		$this->assertSame( 'postType/post:1', $rooms[0]['room'] );
		$this->assertSame( 3, $rooms[0]['entries'] );
		$this->assertSame( 2, $rooms[0]['users'] );
		$this->assertCount( 2, $store->rooms() );
	}

	public function test_sweep_reclaims_expired() {
		$store = wp_presence_store();
		$store->upsert( 'r', 'short', 1, array(), 5 );
		$store->upsert( 'r', 'long', 1, array(), 500 );
		WP_Presence_Testing::advance( 10 );
		$this->assertGreaterThanOrEqual( 1, wp_presence_run_sweep() );
		$this->assertSame( array( 'long' ), wp_list_pluck( wp_get_presence( 'r' ), 'client_id' ) );
	}

	public function test_backend_reason_is_stated() {
		$this->assertContains( wp_presence_backend(), array( 'extension', 'sql', 'redis' ) );
		$this->assertNotSame( '', wp_presence_backend_reason() );
		if ( defined( 'WP_PRESENCE_BACKEND' ) ) {
			$this->assertSame( (string) WP_PRESENCE_BACKEND, wp_presence_backend() );
		} else {
			$this->assertSame( extension_loaded( 'presence' ) ? 'extension' : 'sql', wp_presence_backend() );
		}
	}

	public function test_testing_api_advance_refuses_non_positive() {
		$this->expectException( InvalidArgumentException::class );
		WP_Presence_Testing::advance( 0 );
	}

	public function test_testing_api_reset_clears_site() {
		wp_set_presence( 'r', 'c', array(), 1 );
		$this->assertSame( 1, WP_Presence_Testing::reset() );
		$this->assertSame( array(), wp_get_presence( 'r' ) );
		$before = WP_Presence_Testing::now();
		WP_Presence_Testing::advance( 100 );
		$this->assertGreaterThanOrEqual( $before + 100, WP_Presence_Testing::now() );
	}
}
