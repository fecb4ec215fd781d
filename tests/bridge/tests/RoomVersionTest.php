<?php
/**
 * Room versions on every backend (docs/CONTRACT.md §1), the SQL store's version table, and the
 * SQL a steady Heartbeat tick costs on the SQL store.
 *
 * @package Presence
 */

/**
 * Versions change with the room's content and expiry, never with a refresh, and never repeat.
 */
class RoomVersionTest extends Presence_TestCase {

	public function test_refresh_keeps_the_version_and_changes_bump_it() {
		$store = wp_presence_store();
		$this->assertSame( 0, $store->room_version( 'ver/a' ), 'empty room' );
		$this->assertTrue( $store->upsert( 'ver/a', 'c1', 1, array( 'x' => 1 ), 60 ) );
		$v1 = $store->room_version( 'ver/a' );
		$this->assertNotSame( 0, $v1 );
		$this->assertSame( $v1, $store->room_version( 'ver/a' ), 'stable when nothing changed' );
		$this->assertFalse( $store->upsert( 'ver/a', 'c1', 1, array( 'x' => 1 ), 60 ), 'a refresh' );
		$this->assertSame( $v1, $store->room_version( 'ver/a' ), 'a refresh keeps the version' );
		$this->assertTrue( $store->upsert( 'ver/a', 'c1', 1, array( 'x' => 2 ), 60 ) );
		$v2 = $store->room_version( 'ver/a' );
		$this->assertNotSame( $v1, $v2, 'new data' );
		$store->upsert( 'ver/a', 'c2', 2, array(), 60 );
		$v3 = $store->room_version( 'ver/a' );
		$this->assertNotContains( $v3, array( $v1, $v2 ), 'a new entry' );
		$this->assertTrue( $store->remove( 'ver/a', 'c2' ) );
		$v4 = $store->room_version( 'ver/a' );
		$this->assertNotContains( $v4, array( $v1, $v2, $v3 ), 'a removed entry' );
		$this->assertSame( 0, $store->room_version( 'ver/other' ), 'other rooms are untouched' );
		$rooms = $store->rooms( 'ver/' );
		$this->assertCount( 1, $rooms );
		$this->assertSame( $v4, $rooms[0]['version'], 'rooms() reports the same version' );
	}

	public function test_expiry_bumps_and_an_empty_room_is_zero() {
		$store = wp_presence_store();
		$store->upsert( 'ver/b', 'short', 1, array(), 10 );
		$store->upsert( 'ver/b', 'long', 2, array(), 100 );
		$v1 = $store->room_version( 'ver/b' );
		WP_Presence_Testing::advance( 11 );
		$v2 = $store->room_version( 'ver/b' );
		$this->assertNotSame( $v1, $v2, 'an expired entry changes the version' );
		$this->assertNotSame( 0, $v2 );
		$this->assertSame( $v2, $store->room_version( 'ver/b' ) );
		$this->assertCount( 1, $store->room( 'ver/b' ) );
		WP_Presence_Testing::advance( 100 );
		$this->assertSame( 0, $store->room_version( 'ver/b' ), 'every entry expired: empty' );
		$this->assertSame( array(), $store->rooms( 'ver/' ) );
	}

	public function test_expiry_seen_through_rooms_bumps_too() {
		$store = wp_presence_store();
		$store->upsert( 'ver/c', 'short', 1, array(), 10 );
		$store->upsert( 'ver/c', 'long', 2, array(), 100 );
		$v1 = $store->rooms( 'ver/' )[0]['version'];
		WP_Presence_Testing::advance( 11 );
		$rooms = $store->rooms( 'ver/' );
		$this->assertCount( 1, $rooms );
		$this->assertSame( 1, $rooms[0]['entries'] );
		$this->assertNotSame( $v1, $rooms[0]['version'] );
		$this->assertSame( $rooms[0]['version'], $store->room_version( 'ver/c' ) );
	}

	public function test_versions_never_repeat_when_a_room_empties_and_refills() {
		$store = wp_presence_store();
		$seen  = array();
		for ( $i = 0; $i < 3; $i++ ) {
			$store->upsert( 'ver/d', 'c1', 1, array( 'same' => true ), 10 );
			$v = $store->room_version( 'ver/d' );
			$this->assertNotSame( 0, $v );
			$this->assertNotContains( $v, $seen, 'refill ' . $i . ': a version never seen before' );
			$seen[] = $v;
			switch ( $i ) {
				case 0:
					$store->remove( 'ver/d', 'c1' );
					break;
				case 1:
					WP_Presence_Testing::advance( 11 );
					$store->sweep();
					break;
				default:
					$store->clear();
			}
			$this->assertSame( 0, $store->room_version( 'ver/d' ) );
		}
		// Emptied by expiry alone, then refilled with the same entry.
		$store->upsert( 'ver/d', 'c1', 1, array( 'same' => true ), 10 );
		$v = $store->room_version( 'ver/d' );
		$this->assertNotContains( $v, $seen );
		$seen[] = $v;
		WP_Presence_Testing::advance( 11 );
		$store->upsert( 'ver/d', 'c1', 1, array( 'same' => true ), 10 );
		$this->assertNotContains( $store->room_version( 'ver/d' ), $seen, 'expired and rewritten' );
	}

	public function test_remove_user_bumps_every_room_of_the_user() {
		$store = wp_presence_store();
		$store->upsert( 'ver/e', 'a', 7, array(), 60 );
		$store->upsert( 'ver/e', 'b', 8, array(), 60 );
		$store->upsert( 'ver/f', 'a', 7, array(), 60 );
		$store->upsert( 'ver/g', 'b', 8, array(), 60 );
		$before = array(
			'e' => $store->room_version( 'ver/e' ),
			'f' => $store->room_version( 'ver/f' ),
			'g' => $store->room_version( 'ver/g' ),
		);
		$this->assertSame( 2, $store->remove_user( 7 ) );
		$this->assertNotSame( $before['e'], $store->room_version( 'ver/e' ) );
		$this->assertSame( 0, $store->room_version( 'ver/f' ) );
		$this->assertSame( $before['g'], $store->room_version( 'ver/g' ), 'rooms without the user keep theirs' );
	}

	public function test_rooms_entries_reads_several_rooms() {
		$store = wp_presence_store();
		$store->upsert( 'ver/h', 'a', 1, array( 'n' => 1 ), 60 );
		WP_Presence_Testing::advance( 1 );
		$store->upsert( 'ver/h', 'b', 2, array( 'n' => 2 ), 60 );
		$store->upsert( 'ver/i', 'a', 1, array(), 60 );
		$got = $store->rooms_entries( array( 'ver/h', 'ver/i', 'ver/empty' ) );
		$this->assertSame( array( 'ver/h', 'ver/i', 'ver/empty' ), array_keys( $got ) );
		$this->assertSame( $store->room( 'ver/h' ), $got['ver/h'] );
		$this->assertSame( $store->room( 'ver/i' ), $got['ver/i'] );
		$this->assertSame( array(), $got['ver/empty'] );
		$this->assertSame( array(), $store->rooms_entries( array() ) );
	}

	public function test_sql_version_table_and_autoloaded_options() {
		global $wpdb;
		if ( 'sql' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'SQL backend only.' );
		}
		$this->assertSame( WP_Presence_Store_SQL::versions_table(), $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', WP_Presence_Store_SQL::versions_table() ) ) );
		$this->assertTrue( WP_Presence_Store_SQL::is_installed() );
		if ( ! is_multisite() ) {
			foreach ( array( 'wp_presence_db_version', WP_Presence_Store_SQL::OFFSET_OPTION ) as $option ) {
				$autoload = $wpdb->get_var( $wpdb->prepare( "SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", $option ) );
				$this->assertContains( $autoload, wp_autoload_values_to_autoload(), $option . ' is autoloaded' );
			}
		}
		// A pure refresh writes no version row.
		$store = wp_presence_store();
		$store->upsert( 'ver/j', 'a', 1, array(), 60 );
		$row = $wpdb->get_row( $wpdb->prepare( 'SELECT version, updated FROM ' . WP_Presence_Store_SQL::versions_table() . ' WHERE ns = %s AND room = %s', $store->get_namespace(), 'ver/j' ), ARRAY_A );
		$this->assertNotNull( $row );
		WP_Presence_Testing::advance( 2 );
		$store->upsert( 'ver/j', 'a', 1, array(), 60 );
		$this->assertSame( $row, $wpdb->get_row( $wpdb->prepare( 'SELECT version, updated FROM ' . WP_Presence_Store_SQL::versions_table() . ' WHERE ns = %s AND room = %s', $store->get_namespace(), 'ver/j' ), ARRAY_A ) );
	}

	/**
	 * The SQL store sweeps expired entries on writes as often as the filter says.
	 */
	public function test_sql_sweep_on_write_follows_its_filter() {
		global $wpdb;
		if ( 'sql' !== wp_presence_backend() ) {
			$this->markTestSkipped( 'SQL backend only.' );
		}
		$store = wp_presence_store();
		$store->upsert( 'sweep/a', 'old', 1, array(), 5 );
		WP_Presence_Testing::advance( 10 );
		$table = $wpdb->base_prefix . 'presence';
		$count = function () use ( $wpdb, $table ) {
			return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE client_id = %s", 'old' ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		};

		$store->upsert( 'sweep/b', 'w1', 1, array(), 60 );
		$this->assertSame( 1, $count(), 'with the chance at 0 (the test default) a write never sweeps' );

		$this->add_test_filter( 'wp_presence_sql_sweep_chance', fn() => 1 );
		$store->upsert( 'sweep/b', 'w2', 1, array(), 60 );
		$this->assertSame( 0, $count(), 'with a chance of one in 1 every write sweeps' );
	}
}
