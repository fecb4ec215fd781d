<?php
/**
 * Issue 8 hole 2 (store half): every spelling of a room, client id or namespace is its own, on
 * every backend. The SQL table used to compare with the site's collation (case-, accent- and
 * trailing-space-insensitive), and silently cut keys over 191 characters.
 *
 * @package Presence
 */

/**
 * Byte-exact keys in the store (the policy layer above refuses non-canonical post rooms).
 */
class StoreSpellingTest extends Presence_TestCase {

	/**
	 * A real key and a spelling of it that a collation, normalisation or truncation would merge.
	 *
	 * @return array[]
	 */
	public function spellings() {
		$long = str_repeat( 'a', 191 );
		return array(
			'lower case'           => array( 'postType/post:27', 'posttype/post:27' ),
			'upper case'           => array( 'postType/post:27', 'POSTTYPE/POST:27' ),
			'trailing space'       => array( 'postType/post:27', 'postType/post:27 ' ),
			'two trailing spaces'  => array( 'postType/post:27', 'postType/post:27  ' ),
			'leading space'        => array( 'postType/post:27', ' postType/post:27' ),
			'trailing tab'         => array( 'postType/post:27', "postType/post:27\t" ),
			'accent'               => array( 'room/café', 'room/cafe' ),
			'NFC and NFD'          => array( "room/caf\u{e9}", "room/cafe\u{301}" ),
			'sharp s'              => array( 'room/straße', 'room/strasse' ),
			'full-width letter'    => array( 'postType/post:27', "\u{ff50}ostType/post:27" ),
			'zero-width space'     => array( 'postType/post:27', "postType/post:27\u{200b}" ),
			'cut at 191 chars'     => array( $long . 'x', $long . 'y' ),
			'255 and 254 bytes'    => array( str_repeat( 'b', 255 ), str_repeat( 'b', 254 ) ),
			'invalid UTF-8 byte'   => array( 'room/x', "room/x\xff" ),
		);
	}

	/**
	 * @dataProvider spellings
	 *
	 * @param string $real    The room written first.
	 * @param string $variant Another spelling.
	 */
	public function test_each_room_spelling_is_its_own_room( $real, $variant ) {
		$store = wp_presence_store();
		$this->assertTrue( $store->upsert( $real, 'c1', 1, array( 'who' => 'real' ), 60 ) );

		$this->assertNull( $store->get( $variant, 'c1' ), 'no read through another spelling' );
		$this->assertSame( array(), $store->room( $variant ) );
		$this->assertSame( 0, $store->room_version( $variant ) );
		$this->assertSame( array( $variant => array() ), $store->rooms_entries( array( $variant ) ) );

		$version = $store->room_version( $real );
		$this->assertTrue( $store->upsert( $variant, 'c1', 2, array( 'who' => 'variant' ), 60 ), 'a new entry, not a change of the real one' );
		$real_entry = $store->get( $real, 'c1' );
		$this->assertSame( 1, $real_entry['user_id'], 'no write through another spelling' );
		$this->assertSame( array( 'who' => 'real' ), $real_entry['data'] );
		$this->assertSame( $real, $real_entry['room'] );
		$this->assertSame( $version, $store->room_version( $real ), 'the real room did not change' );
		$this->assertSame( $variant, $store->get( $variant, 'c1' )['room'], 'stored byte for byte' );
		$this->assertCount( 1, $store->room( $real ) );
		$this->assertCount( 1, $store->room( $variant ) );

		$rooms = wp_list_pluck( $store->rooms( '' ), 'entries', 'room' );
		$this->assertSame( 1, $rooms[ $real ] );
		$this->assertSame( 1, $rooms[ $variant ] );
		$both = $store->rooms_entries( array( $real, $variant ) );
		$this->assertSame( array( 1 ), wp_list_pluck( $both[ $real ], 'user_id' ) );
		$this->assertSame( array( 2 ), wp_list_pluck( $both[ $variant ], 'user_id' ) );
		$this->assertSame( array( $variant ), wp_list_pluck( $store->user_entries( 2 ), 'room' ) );

		$this->assertTrue( $store->remove( $variant, 'c1' ) );
		$this->assertNotNull( $store->get( $real, 'c1' ), 'removing a spelling leaves the real room' );
		$this->assertFalse( $store->remove( $variant, 'c1' ) );
		$this->assertSame( 1, $store->remove_user( 2 ) + $store->remove_user( 1 ) );
		$this->assertNull( $store->get( $real, 'c1' ) );
	}

	/**
	 * @dataProvider spellings
	 *
	 * @param string $real    The client id written first.
	 * @param string $variant Another spelling.
	 */
	public function test_each_client_id_spelling_is_its_own_entry( $real, $variant ) {
		$store = wp_presence_store();
		$store->upsert( 'spell/room', $real, 1, array( 'who' => 'real' ), 60 );
		$this->assertNull( $store->get( 'spell/room', $variant ) );
		$this->assertFalse( $store->remove( 'spell/room', $variant ), 'nothing removed through another spelling' );
		$this->assertTrue( $store->upsert( 'spell/room', $variant, 2, array( 'who' => 'variant' ), 60 ) );
		$this->assertSame( 1, $store->get( 'spell/room', $real )['user_id'] );
		$ids = wp_list_pluck( $store->room( 'spell/room' ), 'client_id' );
		sort( $ids );
		$expected = array( $real, $variant );
		sort( $expected );
		$this->assertSame( $expected, $ids );
	}

	public function test_room_prefixes_compare_bytes() {
		$store = wp_presence_store();
		$store->upsert( 'postType/post:27', 'c1', 1, array(), 60 );
		$store->upsert( 'posttype_post:28', 'c1', 1, array(), 60 ); // "_" is no wildcard.
		$this->assertSame( array( 'postType/post:27' ), wp_list_pluck( $store->rooms( 'postType/' ), 'room' ) );
		$this->assertSame( array(), $store->rooms( 'posttype/' ) );
		$this->assertSame( array(), $store->rooms( 'POSTTYPE/' ) );
		$this->assertSame( array(), $store->rooms( ' postType/' ) );
	}

	/**
	 * Namespaces differing in case or a trailing space are different sites.
	 */
	public function test_namespace_spellings_are_separate() {
		$store = wp_presence_store();
		$old   = $store->get_namespace();
		try {
			$store->set_namespace( 'spell-NS' );
			$store->clear();
			$store->upsert( 'spell/room', 'c1', 1, array(), 60 );
			foreach ( array( 'spell-ns', 'SPELL-NS', 'spell-NS ', 'spell-ＮＳ' ) as $ns ) {
				$store->set_namespace( $ns );
				$this->assertSame( array(), $store->room( 'spell/room' ), "namespace '$ns'" );
				$this->assertSame( array(), $store->rooms( '' ), "namespace '$ns'" );
				$this->assertSame( 0, $store->remove_user( 1 ), "namespace '$ns'" );
				$this->assertSame( 0, $store->clear(), "namespace '$ns'" );
			}
			$store->set_namespace( 'spell-NS' );
			$this->assertCount( 1, $store->room( 'spell/room' ) );
			$this->assertSame( 1, $store->clear() );
		} finally {
			$store->set_namespace( $old );
		}
	}

	/**
	 * The SQL tables compare bytes: VARBINARY keys, in the table and the version table.
	 */
	public function test_sql_key_columns_are_binary() {
		global $wpdb;
		foreach ( array( WP_Presence_Store_SQL::table() => array( 'ns', 'room', 'client_id' ), WP_Presence_Store_SQL::versions_table() => array( 'ns', 'room' ) ) as $table => $columns ) {
			$types = wp_list_pluck( $wpdb->get_results( "SHOW COLUMNS FROM {$table}" ), 'Type', 'Field' ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			foreach ( $columns as $column ) {
				$this->assertMatchesRegularExpression( '/^varbinary\(/', $types[ $column ], "$table.$column" );
			}
		}
		$this->assertSame( 3, (int) get_network_option( null, 'wp_presence_db_version' ) );
	}
}
