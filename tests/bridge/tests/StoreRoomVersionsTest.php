<?php
/**
 * The optional room_versions() store method, on every backend that has it: the rooms rooms()
 * lists, with their versions, as the dashboard's active-posts version reads them every tick.
 *
 * @package Presence
 */

/**
 * Room names and versions without the rooms' entries.
 *
 * @since 1.4.0
 */
class StoreRoomVersionsTest extends Presence_TestCase {

	/**
	 * The current store, or a skip when it has no room_versions().
	 *
	 * @return WP_Presence_Store
	 */
	private function store() {
		$store = wp_presence_store();
		if ( ! method_exists( $store, 'room_versions' ) ) {
			$this->markTestSkipped( 'The ' . $store->name() . ' store has no room_versions().' );
		}
		return $store;
	}

	/**
	 * Versions by room name, from rooms() or room_versions().
	 *
	 * @param array[] $rooms Rooms with room and version.
	 * @return array<string,int>
	 */
	private static function versions( array $rooms ) {
		return array_map( 'intval', wp_list_pluck( $rooms, 'version', 'room' ) );
	}

	public function test_the_rooms_and_versions_of_rooms_and_they_follow_writes_and_expiry() {
		$store = $this->store();
		$store->upsert( 'postType/post:1', 'a', 1, array( 'x' => 1 ), 60 );
		$store->upsert( 'postType/post:1', 'b', 2, array(), 60 );
		$store->upsert( 'postType/page:7', 'c', 3, array(), 5 );
		$store->upsert( 'admin/online', 'a', 1, array(), 60 );

		$listed = self::versions( $store->rooms( 'postType/' ) );
		$this->assertSame( array( 'postType/page:7', 'postType/post:1' ), array_keys( $listed ) );
		$this->assertSame( $listed, self::versions( $store->room_versions( 'postType/' ) ), 'the same rooms and versions as rooms()' );
		$this->assertSame( self::versions( $store->rooms() ), self::versions( $store->room_versions() ), 'every room without a prefix' );
		$this->assertSame( array(), $store->room_versions( 'nothing/' ) );

		// A change moves the version, a refresh with the same data keeps it.
		$store->upsert( 'postType/post:1', 'a', 1, array( 'x' => 1 ), 60 );
		$this->assertSame( $listed['postType/post:1'], self::versions( $store->room_versions( 'postType/' ) )['postType/post:1'], 'a refresh' );
		$store->upsert( 'postType/post:1', 'a', 1, array( 'x' => 2 ), 60 );
		$after = self::versions( $store->room_versions( 'postType/' ) );
		$this->assertGreaterThan( $listed['postType/post:1'], $after['postType/post:1'], 'a change' );

		// The room whose only entry expired is gone, as from rooms().
		WP_Presence_Testing::advance( 6 );
		$this->assertSame( array( 'postType/post:1' ), array_keys( self::versions( $store->room_versions( 'postType/' ) ) ) );
		$this->assertSame( self::versions( $store->rooms( 'postType/' ) ), self::versions( $store->room_versions( 'postType/' ) ) );
	}

	public function test_another_namespace_is_not_listed() {
		$store = $this->store();
		$store->upsert( 'postType/post:1', 'a', 1, array(), 60 );
		$ns = $store->get_namespace();
		$store->set_namespace( $ns . '-other' );
		try {
			$store->upsert( 'postType/post:9', 'z', 9, array(), 60 );
			$this->assertSame( array( 'postType/post:9' ), array_keys( self::versions( $store->room_versions( 'postType/' ) ) ) );
		} finally {
			$store->clear();
			$store->set_namespace( $ns );
		}
		$this->assertSame( array( 'postType/post:1' ), array_keys( self::versions( $store->room_versions( 'postType/' ) ) ) );
	}
}
