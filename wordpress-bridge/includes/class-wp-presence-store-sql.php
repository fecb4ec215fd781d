<?php
/**
 * Presence store on a dedicated SQL table (fallback when the extension is not loaded).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The SQL fallback: one network-wide table `{base_prefix}presence` with a namespace column,
 * so multisite needs no per-site provisioning. Same semantics as the extension: entries
 * expire by their own TTL, and the room version is a content hash of the live entries.
 *
 * @since 1.0.0
 */
class WP_Presence_Store_SQL implements WP_Presence_Store {

	/**
	 * Schema version, stored in the network option `wp_presence_db_version`.
	 */
	const DB_VERSION = 1;

	/**
	 * Network option holding the test clock offset in seconds.
	 */
	const OFFSET_OPTION = 'wp_presence_clock_offset';

	/**
	 * Current namespace.
	 *
	 * @var string
	 */
	private $ns = '';

	/**
	 * Full table name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->base_prefix . 'presence';
	}

	/**
	 * Creates or upgrades the table (dbDelta).
	 *
	 * @return void
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$collate = $wpdb->get_charset_collate();
		// One row per (ns, room, client_id); times are unix seconds of the store clock.
		dbDelta(
			"CREATE TABLE {$table} (
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
  KEY expires (expires)
) {$collate};"
		);
		update_network_option( null, 'wp_presence_db_version', self::DB_VERSION );
		// Present (and autoloaded on single sites) so that reading the clock costs no query.
		if ( false === get_network_option( null, self::OFFSET_OPTION, false ) ) {
			add_network_option( null, self::OFFSET_OPTION, 0 );
		}
	}

	/**
	 * Whether the table exists in the current schema version.
	 *
	 * @return bool
	 */
	public static function is_installed() {
		return (int) get_network_option( null, 'wp_presence_db_version', 0 ) >= self::DB_VERSION;
	}

	/**
	 * Drops the table (uninstall).
	 *
	 * @return void
	 */
	public static function uninstall() {
		global $wpdb;
		$wpdb->query( 'DROP TABLE IF EXISTS ' . self::table() ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- table name.
		delete_network_option( null, 'wp_presence_db_version' );
		delete_network_option( null, self::OFFSET_OPTION );
	}

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return 'sql';
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $ns Namespace.
	 */
	public function set_namespace( $ns ) {
		$ns = (string) $ns;
		if ( strlen( $ns ) > 64 ) {
			throw new ValueError( 'presence namespace must be at most 64 bytes' );
		}
		$this->ns = $ns;
	}

	/**
	 * {@inheritDoc}
	 */
	public function get_namespace() {
		return $this->ns;
	}

	/**
	 * Validates a room or client id like the extension does.
	 *
	 * @param string $value Value.
	 * @param string $what  Name for the message.
	 * @throws ValueError When empty or over 255 bytes.
	 * @return void
	 */
	private static function check_key( $value, $what ) {
		if ( '' === $value || strlen( $value ) > 255 ) {
			throw new ValueError( sprintf( 'presence %s must be 1 to 255 bytes', $what ) );
		}
	}

	/**
	 * Validates data like the extension does (no objects, depth at most 8).
	 *
	 * @param mixed $value Value.
	 * @param int   $depth Current depth.
	 * @throws ValueError For objects, resources or too deep data.
	 * @return void
	 */
	private static function check_data( $value, $depth ) {
		if ( $depth > 8 ) {
			throw new ValueError( 'presence data is nested deeper than 8' );
		}
		foreach ( $value as $item ) {
			if ( is_array( $item ) ) {
				self::check_data( $item, $depth + 1 );
			} elseif ( is_object( $item ) || is_resource( $item ) ) {
				throw new ValueError( 'presence data may only hold scalars and arrays' );
			}
		}
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 * @throws ValueError On invalid arguments.
	 * @throws RuntimeException On a database error.
	 */
	public function upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		global $wpdb;
		$room      = (string) $room;
		$client_id = (string) $client_id;
		$user_id   = (int) $user_id;
		$ttl       = (int) $ttl;
		self::check_key( $room, 'room' );
		self::check_key( $client_id, 'client_id' );
		if ( $user_id < 0 ) {
			throw new ValueError( 'presence user_id must not be negative' );
		}
		if ( $ttl < 1 || $ttl > 86400 ) {
			throw new ValueError( 'presence TTL must be between 1 and 86400' );
		}
		self::check_data( $data, 1 );
		$json = wp_json_encode( $data );
		if ( false === $json || strlen( $json ) > 16384 ) {
			throw new ValueError( 'presence data is over 16 KiB encoded' );
		}
		$now   = $this->now();
		$table = self::table();
		// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table, no cache by design.
		$old = $wpdb->get_row( $wpdb->prepare( "SELECT user_id, data, expires FROM {$table} WHERE ns = %s AND room = %s AND client_id = %s", $this->ns, $room, $client_id ), ARRAY_A );
		$ok  = $wpdb->query(
			$wpdb->prepare(
				"INSERT INTO {$table} (ns, room, client_id, user_id, data, updated, expires) VALUES (%s, %s, %s, %d, %s, %d, %d)
				ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), data = VALUES(data), updated = VALUES(updated), expires = VALUES(expires)",
				$this->ns,
				$room,
				$client_id,
				$user_id,
				$json,
				$now,
				$now + $ttl
			)
		);
		// phpcs:enable
		if ( false === $ok ) {
			throw new RuntimeException( 'presence SQL store: ' . $wpdb->last_error );
		}
		if ( 0 === wp_rand( 0, 99 ) ) {
			$this->sweep(); // Opportunistic cleanup besides the cron job.
		}
		return ! $old || (int) $old['expires'] <= $now || (int) $old['user_id'] !== $user_id || $old['data'] !== $json;
	}

	/**
	 * Turns a row into an entry.
	 *
	 * @param array $row Row.
	 * @return array
	 */
	private static function entry( array $row ) {
		$data = json_decode( $row['data'], true );
		return array(
			'room'      => $row['room'],
			'client_id' => $row['client_id'],
			'user_id'   => (int) $row['user_id'],
			'data'      => is_array( $data ) ? $data : array(),
			'updated'   => (int) $row['updated'],
			'expires'   => (int) $row['expires'],
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function get( $room, $client_id ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT room, client_id, user_id, data, updated, expires FROM {$table} WHERE ns = %s AND room = %s AND client_id = %s AND expires > %d", $this->ns, (string) $room, (string) $client_id, $this->now() ), ARRAY_A );
		return $row ? self::entry( $row ) : null;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Max age.
	 */
	public function room( $room, $max_age = null ) {
		global $wpdb;
		$table = self::table();
		$now   = $this->now();
		$age   = null === $max_age ? '' : $wpdb->prepare( ' AND updated > %d', $now - (int) $max_age );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table; $age is prepared.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT room, client_id, user_id, data, updated, expires FROM {$table} WHERE ns = %s AND room = %s AND expires > %d", $this->ns, (string) $room, $now ) . $age . ' ORDER BY updated DESC, id DESC', ARRAY_A );
		return array_map( array( __CLASS__, 'entry' ), (array) $rows );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- own table.
		return (bool) $wpdb->delete(
			self::table(),
			array(
				'ns'        => $this->ns,
				'room'      => (string) $room,
				'client_id' => (string) $client_id,
			),
			array( '%s', '%s', '%s' )
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- own table.
		return (int) $wpdb->delete(
			self::table(),
			array(
				'ns'      => $this->ns,
				'user_id' => (int) $user_id,
			),
			array( '%s', '%d' )
		);
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function user_entries( $user_id ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT room, client_id, user_id, data, updated, expires FROM {$table} WHERE ns = %s AND user_id = %d AND expires > %d ORDER BY updated DESC, id DESC", $this->ns, (int) $user_id, $this->now() ), ARRAY_A );
		return array_map( array( __CLASS__, 'entry' ), (array) $rows );
	}

	/**
	 * Version from a content hash: count and XOR of per-entry CRC32s (order-independent).
	 *
	 * @param int $count Live entries.
	 * @param int $xor   XOR of CRC32(client_id|user_id|data).
	 * @return int
	 */
	private static function version( $count, $xor ) {
		if ( $count < 1 ) {
			return 0;
		}
		$version = ( (int) $xor ) ^ ( (int) $count << 32 );
		return 0 === $version ? 1 : $version;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT room, COUNT(*) AS entries, COUNT(DISTINCT user_id) AS users, BIT_XOR(CRC32(CONCAT(client_id, '|', user_id, '|', data))) AS x, MAX(updated) AS updated FROM {$table} WHERE ns = %s AND room LIKE %s AND expires > %d GROUP BY room ORDER BY MAX(updated) DESC", $this->ns, $wpdb->esc_like( (string) $prefix ) . '%', $this->now() ), ARRAY_A );
		$out  = array();
		foreach ( (array) $rows as $row ) {
			$out[] = array(
				'room'    => $row['room'],
				'entries' => (int) $row['entries'],
				'users'   => (int) $row['users'],
				'version' => self::version( (int) $row['entries'], (int) $row['x'] ),
				'updated' => (int) $row['updated'],
			);
		}
		return $out;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room Room.
	 */
	public function room_version( $room ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT COUNT(*) AS n, BIT_XOR(CRC32(CONCAT(client_id, '|', user_id, '|', data))) AS x FROM {$table} WHERE ns = %s AND room = %s AND expires > %d", $this->ns, (string) $room, $this->now() ), ARRAY_A );
		return $row ? self::version( (int) $row['n'], (int) $row['x'] ) : 0;
	}

	/**
	 * {@inheritDoc}
	 */
	public function sweep() {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		return (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE expires <= %d", $this->now() ) );
	}

	/**
	 * {@inheritDoc}
	 */
	public function clear() {
		global $wpdb;
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- own table.
		return (int) $wpdb->delete( self::table(), array( 'ns' => $this->ns ), array( '%s' ) );
	}

	/**
	 * {@inheritDoc}
	 */
	public function stats() {
		global $wpdb;
		$table = self::table();
		// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$all  = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" );
		$live = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE expires > %d", $this->now() ) );
		$mine = (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$table} WHERE ns = %s AND expires > %d", $this->ns, $this->now() ) );
		// phpcs:enable
		return array(
			'entries'      => $live,
			'rows'         => $all,
			'expired_rows' => $all - $live,
			'namespace'    => $this->ns,
			'ns_entries'   => $mine,
			'table'        => $table,
			'clock_offset' => (int) get_network_option( null, self::OFFSET_OPTION, 0 ),
		);
	}

	/**
	 * {@inheritDoc}
	 */
	public function now() {
		return time() + (int) get_network_option( null, self::OFFSET_OPTION, 0 );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $seconds Seconds.
	 */
	public function advance( $seconds ) {
		$offset = (int) get_network_option( null, self::OFFSET_OPTION, 0 ) + max( 0, (int) $seconds );
		update_network_option( null, self::OFFSET_OPTION, $offset );
		return $offset;
	}
}
