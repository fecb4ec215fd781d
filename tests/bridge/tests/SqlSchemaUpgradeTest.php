<?php
/**
 * Issue 8 hole 2 (SQL half): a schema 2 table (the site's collation) with rows is upgraded to
 * byte comparison, keeping its rows.
 *
 * @package Presence
 */

/**
 * Runs on every pass: the table exists on every backend. The upgrade runs on a copy of the
 * schema under another table prefix, so the suite's own tables stay as they are.
 */
class SqlSchemaUpgradeTest extends Presence_TestCase {

	/**
	 * DDL commits implicitly: no transaction.
	 *
	 * @var bool
	 */
	protected $use_transaction = false;

	/**
	 * The base prefix of the suite.
	 *
	 * @var string
	 */
	private $base_prefix;

	/**
	 * The version option before the test.
	 *
	 * @var mixed
	 */
	private $db_version;

	protected function setUp(): void {
		global $wpdb;
		parent::setUp();
		$this->base_prefix = $wpdb->base_prefix;
		$this->db_version  = get_network_option( null, 'wp_presence_db_version' );
	}

	protected function tearDown(): void {
		global $wpdb;
		$wpdb->base_prefix = 'wpupg_';
		WP_Presence_Store_SQL::drop_tables();
		$wpdb->base_prefix = $this->base_prefix;
		update_network_option( null, 'wp_presence_db_version', $this->db_version );
		parent::tearDown();
	}

	/**
	 * Creates the schema 2 tables (as 1.0 shipped them) under the prefix `wpupg_`.
	 *
	 * @return void
	 */
	private function create_v2_tables() {
		global $wpdb;
		$collate = $wpdb->get_charset_collate();
		$wpdb->query( 'DROP TABLE IF EXISTS wpupg_presence, wpupg_presence_rooms' );
		$wpdb->query(
			"CREATE TABLE wpupg_presence (
  id bigint(20) unsigned NOT NULL auto_increment,
  ns varchar(64) NOT NULL default '',
  room varchar(191) NOT NULL default '',
  client_id varchar(191) NOT NULL default '',
  user_id bigint(20) unsigned NOT NULL default 0,
  data longtext NOT NULL,
  updated bigint(20) NOT NULL default 0,
  expires bigint(20) NOT NULL default 0,
  PRIMARY KEY  (id),
  UNIQUE KEY ns_room_client (ns,room,client_id),
  KEY ns_user (ns,user_id),
  KEY ns_room_expires (ns,room,expires),
  KEY expires (expires)
) {$collate}"
		);
		$wpdb->query(
			"CREATE TABLE wpupg_presence_rooms (
  ns varchar(64) NOT NULL default '',
  room varchar(191) NOT NULL default '',
  version bigint(20) unsigned NOT NULL default 0,
  updated bigint(20) NOT NULL default 0,
  PRIMARY KEY  (ns,room)
) {$collate}"
		);
	}

	public function test_v2_table_with_rows_is_upgraded_to_byte_comparison() {
		global $wpdb;
		$this->create_v2_tables();
		$wpdb->base_prefix = 'wpupg_';
		$store             = new WP_Presence_Store_SQL();
		$store->set_namespace( 'ns-upgrade' );
		$store->upsert( 'postType/post:27', 'editor-5', 5, array( 'private' => 'draft' ), 600 );
		$store->upsert( 'admin/online', 'tab-5-aaaaaaaa', 5, array( 'screen' => 'dashboard' ), 600 );
		$version = $store->room_version( 'postType/post:27' );

		// The hole, as it was: another spelling reads the private post's room.
		$leak = $store->get( 'posttype/post:27 ', 'editor-5' );
		$this->assertNotNull( $leak, 'schema 2 merges spellings (the bug this upgrade fixes)' );

		update_network_option( null, 'wp_presence_db_version', 2 );
		$this->assertFalse( WP_Presence_Store_SQL::is_installed() );
		wp_presence_maybe_install(); // What the first request after the update runs.
		$this->assertTrue( WP_Presence_Store_SQL::is_installed() );
		$this->assertSame( WP_Presence_Store_SQL::DB_VERSION, (int) get_network_option( null, 'wp_presence_db_version' ) );

		foreach ( array( 'wpupg_presence' => array( 'ns', 'room', 'client_id' ), 'wpupg_presence_rooms' => array( 'ns', 'room' ) ) as $table => $columns ) {
			$types = wp_list_pluck( $wpdb->get_results( "SHOW COLUMNS FROM {$table}" ), 'Type', 'Field' ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			foreach ( $columns as $column ) {
				$this->assertMatchesRegularExpression( '/^varbinary\((64|255)\)$/', $types[ $column ], "$table.$column" );
			}
		}
		$unique = $wpdb->get_row( "SHOW INDEX FROM wpupg_presence WHERE Key_name = 'ns_room_client' AND Seq_in_index = 1" );
		$this->assertNotNull( $unique, 'the unique key is kept' );
		$this->assertSame( '0', (string) $unique->Non_unique );

		// Rows survived, byte for byte, with their version.
		$entry = $store->get( 'postType/post:27', 'editor-5' );
		$this->assertSame( array( 'private' => 'draft' ), $entry['data'] );
		$this->assertSame( 5, $entry['user_id'] );
		$this->assertSame( $version, $store->room_version( 'postType/post:27' ) );
		$this->assertCount( 1, $store->room( 'admin/online' ) );

		// And spellings are separate now.
		foreach ( array( 'posttype/post:27', 'postType/post:27 ', 'POSTTYPE/POST:27' ) as $variant ) {
			$this->assertNull( $store->get( $variant, 'editor-5' ), $variant );
			$this->assertSame( 0, $store->room_version( $variant ), $variant );
		}
		$this->assertTrue( $store->upsert( 'posttype/post:27', 'editor-5', 6, array(), 600 ) );
		$this->assertSame( 5, $store->get( 'postType/post:27', 'editor-5' )['user_id'], 'a write under another spelling is another entry' );
		$this->assertSame( 2, (int) $wpdb->get_var( "SELECT COUNT(*) FROM wpupg_presence WHERE client_id = 'editor-5'" ) );
	}
}
