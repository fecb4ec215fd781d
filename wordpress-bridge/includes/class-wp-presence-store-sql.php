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
 * expire by their own TTL, and each room has a change counter in `{base_prefix}presence_rooms`,
 * bumped by every change (not by a refresh) and by expiry.
 *
 * @since 1.0.0
 */
class WP_Presence_Store_SQL implements WP_Presence_Store {

	use WP_Presence_Store_Checks;

	/**
	 * Version rows read along with get() (namespace => room => version, first_expiry,
	 * last_expiry, and when),
	 * for the room_version() calls that follow it in the same tick: Heartbeat looks up the tab's
	 * entry in each room, then asks each room's version, and one query answers both. Emptied by
	 * every call that writes, and each row serves one room_version() call only, within
	 * KNOWN_VERSION_TTL seconds, so a version is never older than the entry read with it.
	 *
	 * @since 1.4.0
	 * @var array[]
	 */
	private $known_versions = array();

	/**
	 * How long (seconds) a version read with get() may answer room_version().
	 *
	 * @since 1.4.0
	 */
	const KNOWN_VERSION_TTL = 0.5;

	/**
	 * Schema version, stored in the network option `wp_presence_db_version`.
	 *
	 * 3: namespace, room and client id are VARBINARY (byte comparison, as in the extension).
	 * Version 2 used the site's collation, which is case-, accent- and trailing-space-insensitive,
	 * so `posttype/post:27` or `postType/post:27 ` read and wrote the rows of `postType/post:27`.
	 */
	const DB_VERSION = 3;

	/**
	 * Versions come from the store clock times this (then +1 per change), so a room that empties,
	 * loses its version row and fills again later never shows a version it had before (unless
	 * it changed over a million times within one second).
	 */
	const VERSION_SEED = 1048576;

	/**
	 * Network option holding the test clock offset in seconds. Read only while
	 * `WP_PRESENCE_TESTING` is true: in production the clock is `time()`, whatever is stored.
	 */
	const OFFSET_OPTION = 'wp_presence_clock_offset';

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
	 * Full name of the table of room versions.
	 *
	 * @return string
	 */
	public static function versions_table() {
		global $wpdb;
		return $wpdb->base_prefix . 'presence_rooms';
	}

	/**
	 * Creates or upgrades the tables (dbDelta).
	 *
	 * Keys are VARBINARY so that every comparison (the unique key, `WHERE`, `GROUP BY`, `LIKE`) is
	 * byte for byte: a spelling that differs in case, accents, Unicode normalisation or trailing
	 * spaces is another room, as on the extension and Redis. 255 bytes is the extension's limit,
	 * so no key is ever truncated either (WordPress runs MariaDB without strict mode, where a
	 * longer value would be cut silently and collide with another). dbDelta turns a version 2
	 * table's columns into VARBINARY in place; its rows keep their bytes, and rows unique under
	 * the old collation are unique under byte comparison too.
	 *
	 * @return void
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table    = self::table();
		$versions = self::versions_table();
		$collate  = $wpdb->get_charset_collate();
		// One row per (ns, room, client_id); times are unix seconds of the store clock.
		dbDelta(
			"CREATE TABLE {$table} (
  id bigint(20) unsigned NOT NULL auto_increment,
  ns varbinary(64) NOT NULL default '',
  room varbinary(255) NOT NULL default '',
  client_id varbinary(255) NOT NULL default '',
  user_id bigint(20) unsigned NOT NULL default 0,
  data longtext NOT NULL,
  updated bigint(20) NOT NULL default 0,
  expires bigint(20) NOT NULL default 0,
  PRIMARY KEY  (id),
  UNIQUE KEY ns_room_client (ns,room,client_id),
  KEY ns_user (ns,user_id),
  KEY ns_room_expires (ns,room,expires),
  KEY expires (expires)
) {$collate};
CREATE TABLE {$versions} (
  ns varbinary(64) NOT NULL default '',
  room varbinary(255) NOT NULL default '',
  version bigint(20) unsigned NOT NULL default 0,
  updated bigint(20) NOT NULL default 0,
  PRIMARY KEY  (ns,room)
) {$collate};"
		);
		if ( is_multisite() ) {
			update_network_option( null, 'wp_presence_db_version', self::DB_VERSION );
			if ( false === get_network_option( null, self::OFFSET_OPTION, false ) ) {
				add_network_option( null, self::OFFSET_OPTION, 0 );
			}
			return;
		}
		// Single site: both options autoloaded, so reading them costs no query per request.
		$offset = get_option( self::OFFSET_OPTION, false );
		delete_option( self::OFFSET_OPTION );
		add_option( self::OFFSET_OPTION, false === $offset ? 0 : (int) $offset, '', true );
		delete_option( 'wp_presence_db_version' );
		add_option( 'wp_presence_db_version', self::DB_VERSION, '', true );
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
	 * Drops both tables (uninstall; the options go with every other `wp_presence_` option).
	 *
	 * @return void
	 */
	public static function drop_tables() {
		global $wpdb;
		$wpdb->query( 'DROP TABLE IF EXISTS ' . self::table() ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared, WordPress.DB.DirectDatabaseQuery.SchemaChange -- table name.
		$wpdb->query( 'DROP TABLE IF EXISTS ' . self::versions_table() ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared, WordPress.DB.DirectDatabaseQuery.SchemaChange -- table name.
	}

	/**
	 * Whether the test clock may move: `WP_PRESENCE_TESTING` is defined and true.
	 *
	 * @return bool
	 */
	private static function testing() {
		return defined( 'WP_PRESENCE_TESTING' ) && WP_PRESENCE_TESTING;
	}

	/**
	 * The test clock offset in effect: the option while testing, 0 otherwise.
	 *
	 * @return int Seconds.
	 */
	private static function clock_offset() {
		return self::testing() ? (int) get_network_option( null, self::OFFSET_OPTION, 0 ) : 0;
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
		$json      = self::checked_upsert( $room, $client_id, $user_id, $data, (int) $ttl );
		$now       = $this->now();
		$table     = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table, no cache by design.
		$old = $wpdb->get_row( $wpdb->prepare( "SELECT user_id, data, expires FROM {$table} WHERE ns = %s AND room = %s AND client_id = %s", $this->ns, $room, $client_id ), ARRAY_A );
		$this->write_row( $room, $client_id, $user_id, $json, $now, (int) $ttl );
		$changed = ! $old || (int) $old['expires'] <= $now || (int) $old['user_id'] !== $user_id || $old['data'] !== $json;
		if ( $changed ) {
			$this->bump( array( $room ), $now );
		}
		$this->maybe_sweep();
		return $changed;
	}

	/**
	 * Writes an entry whose previous state the caller has just read (wp_presence_exchange()):
	 * one INSERT, without upsert()'s SELECT, and the room's version moves only when `$bump`
	 * says what others see changed. Not part of WP_Presence_Store: wp_presence_write() uses it
	 * when a store has it.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 * @param bool   $bump      Whether the room gets a new version.
	 * @throws ValueError On invalid arguments.
	 * @throws RuntimeException On a database error.
	 * @return void
	 */
	public function upsert_known( $room, $client_id, $user_id, array $data, $ttl, $bump ) {
		$room      = (string) $room;
		$client_id = (string) $client_id;
		$json      = self::checked_upsert( $room, $client_id, (int) $user_id, $data, (int) $ttl );
		$now       = $this->now();
		$this->write_row( $room, $client_id, (int) $user_id, $json, $now, (int) $ttl );
		if ( $bump ) {
			$this->bump( array( $room ), $now );
		}
		$this->maybe_sweep();
	}

	/**
	 * Inserts or replaces one entry's row.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param string $json      Data, encoded by checked_upsert().
	 * @param int    $now       Store clock.
	 * @param int    $ttl       TTL.
	 * @throws RuntimeException On a database error.
	 * @return void
	 */
	private function write_row( $room, $client_id, $user_id, $json, $now, $ttl ) {
		global $wpdb;
		$this->known_versions = array();
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table, no cache by design.
		$ok = $wpdb->query(
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
		if ( false === $ok ) {
			throw new RuntimeException( 'presence SQL store: ' . $wpdb->last_error );
		}
	}

	/**
	 * Sweeps expired entries on one write in N, besides the one-minute cron job.
	 *
	 * @return void
	 */
	private function maybe_sweep() {
		/**
		 * Filters how often a SQL write also sweeps expired entries (one write in N; 0 never),
		 * besides the one-minute cron job.
		 *
		 * @since 1.0.0
		 *
		 * @param int $chance One write in this many sweeps. Default 100.
		 */
		$chance = (int) apply_filters( 'wp_presence_sql_sweep_chance', 100 );
		if ( $chance > 0 && 0 === wp_rand( 0, $chance - 1 ) ) {
			$this->sweep();
		}
	}

	/**
	 * Gives rooms of the current namespace a new version.
	 *
	 * @param string[] $rooms Rooms.
	 * @param int      $now   Store clock.
	 * @throws RuntimeException On a database error.
	 * @return void
	 */
	private function bump( array $rooms, $now ) {
		global $wpdb;
		$this->known_versions = array();
		if ( ! $rooms ) {
			return;
		}
		$seed   = (int) $now * self::VERSION_SEED;
		$values = array();
		foreach ( array_unique( $rooms ) as $room ) {
			$values[] = $wpdb->prepare( '(%s, %s, %d, %d)', $this->ns, (string) $room, $seed, (int) $now );
		}
		$versions = self::versions_table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- own table; values prepared above.
		$ok = $wpdb->query( "INSERT INTO {$versions} (ns, room, version, updated) VALUES " . implode( ', ', $values ) . ' ON DUPLICATE KEY UPDATE version = GREATEST(version + 1, VALUES(version)), updated = VALUES(updated)' );
		if ( false === $ok ) {
			throw new RuntimeException( 'presence SQL store: ' . $wpdb->last_error );
		}
	}

	/**
	 * Lazy expiry of some rooms: deletes their expired entries and bumps the rooms that lost one.
	 *
	 * @param string[] $rooms Rooms of the current namespace.
	 * @param int      $now   Store clock.
	 * @return void
	 */
	private function expire_rooms( array $rooms, $now ) {
		global $wpdb;
		$table = self::table();
		$gone  = array();
		foreach ( array_unique( $rooms ) as $room ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
			if ( $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE ns = %s AND room = %s AND expires <= %d", $this->ns, (string) $room, $now ) ) ) {
				$gone[] = $room;
			}
		}
		$this->bump( $gone, $now );
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
		$room     = (string) $room;
		$table    = self::table();
		$versions = self::versions_table();
		// The entry (a LEFT JOIN on one row, so there is a row without it) and the room's version
		// row as room_version() reads it, for the room_version() call that follows (see
		// $known_versions): three more index lookups instead of a query.
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own tables.
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT e.room, e.client_id, e.user_id, e.data, e.updated, e.expires, (SELECT version FROM {$versions} WHERE ns = %s AND room = %s) AS version, (SELECT MIN(expires) FROM {$table} WHERE ns = %s AND room = %s) AS first_expiry, (SELECT MAX(expires) FROM {$table} WHERE ns = %s AND room = %s) AS last_expiry FROM (SELECT 1 AS one) o LEFT JOIN {$table} e ON e.ns = %s AND e.room = %s AND e.client_id = %s AND e.expires > %d", $this->ns, $room, $this->ns, $room, $this->ns, $room, $this->ns, $room, (string) $client_id, $this->now() ), ARRAY_A );
		if ( ! $row ) {
			return null;
		}
		$this->known_versions[ $this->ns ][ $room ] = array(
			'version'      => $row['version'],
			'first_expiry' => $row['first_expiry'],
			'last_expiry'  => $row['last_expiry'],
			'at'           => microtime( true ),
		);
		return null === $row['room'] ? null : self::entry( $row );
	}

	/**
	 * The version row get() read for a room, once, while it is fresh (see $known_versions).
	 *
	 * @since 1.4.0
	 *
	 * @param string $room Room.
	 * @return array|null version, first_expiry, last_expiry; null when there is none to use.
	 */
	private function take_known_version( $room ) {
		if ( ! isset( $this->known_versions[ $this->ns ][ $room ] ) ) {
			return null;
		}
		$row = $this->known_versions[ $this->ns ][ $room ];
		unset( $this->known_versions[ $this->ns ][ $room ] );
		return microtime( true ) - $row['at'] <= self::KNOWN_VERSION_TTL ? $row : null;
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
	 * The live entries of the first `$users` users of a room by their newest entry, plus every
	 * live entry of `$user_id`, and how many users (id above 0) have one (the shared contract of
	 * `room_top()`). One query: a derived table holds the first user ids by MAX(updated) (ties by
	 * the higher id, so the order holds between calls) and the extra user, whose rows in the room
	 * are joined through the (ns, user_id) index, and an uncorrelated subquery (evaluated once)
	 * counts the users; each row carries the count, and no row means no user. The grouping reads
	 * the room's live rows through the (ns, room, expires) index inside MariaDB; only the picked
	 * users' rows reach PHP.
	 *
	 * @since 1.4.0
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users to pick, 1..1000.
	 * @param int    $user_id A user whose entries come too (0: none).
	 * @return array 'entries' => array[] (newest first, as room()), 'users' => int.
	 * @throws ValueError On a bad room, `$users` outside 1..1000 or a negative user id.
	 */
	public function room_top( $room, $users, $user_id = 0 ) {
		global $wpdb;
		$room    = (string) $room;
		$users   = (int) $users;
		$user_id = (int) $user_id;
		self::check_top( $room, $users, $user_id );
		$table = self::table();
		$now   = $this->now();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$rows    = (array) $wpdb->get_results(
			$wpdb->prepare(
				"SELECT STRAIGHT_JOIN p.room, p.client_id, p.user_id, p.data, p.updated, p.expires,
					(SELECT COUNT(DISTINCT c.user_id) FROM {$table} c WHERE c.ns = %s AND c.room = %s AND c.expires > %d AND c.user_id > 0) AS users
				FROM (
					(SELECT t.user_id FROM {$table} t WHERE t.ns = %s AND t.room = %s AND t.expires > %d AND t.user_id > 0
						GROUP BY t.user_id ORDER BY MAX(t.updated) DESC, t.user_id DESC LIMIT %d)
					UNION (SELECT %d AS user_id FROM DUAL WHERE %d > 0)
				) f
				JOIN {$table} p ON p.ns = %s AND p.user_id = f.user_id AND p.room = %s AND p.expires > %d
				ORDER BY p.updated DESC, p.id DESC",
				$this->ns,
				$room,
				$now,
				$this->ns,
				$room,
				$now,
				$users,
				$user_id,
				$user_id,
				$this->ns,
				$room,
				$now
			),
			ARRAY_A
		);
		return array(
			'entries' => array_map( array( __CLASS__, 'entry' ), $rows ),
			'users'   => $rows ? (int) $rows[0]['users'] : 0,
		);
	}

	/**
	 * How many users (id above 0) have a live entry in a room, in one COUNT(DISTINCT) on the
	 * (ns, room, expires) index; no entry reaches PHP.
	 *
	 * @since 1.4.0
	 *
	 * @param string $room Room.
	 * @return int
	 */
	public function room_user_count( $room ) {
		global $wpdb;
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		return (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(DISTINCT user_id) FROM {$table} WHERE ns = %s AND room = %s AND expires > %d AND user_id > 0", $this->ns, (string) $room, $this->now() ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		global $wpdb;
		$this->known_versions = array();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- own table.
		$removed = (bool) $wpdb->delete(
			self::table(),
			array(
				'ns'        => $this->ns,
				'room'      => (string) $room,
				'client_id' => (string) $client_id,
			),
			array( '%s', '%s', '%s' )
		);
		if ( $removed ) {
			$this->bump( array( (string) $room ), $this->now() );
		}
		return $removed;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		global $wpdb;
		$this->known_versions = array();
		$table = self::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table.
		$rooms = $wpdb->get_col( $wpdb->prepare( "SELECT DISTINCT room FROM {$table} WHERE ns = %s AND user_id = %d", $this->ns, (int) $user_id ) );
		if ( ! $rooms ) {
			return 0;
		}
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- own table.
		$removed = (int) $wpdb->delete(
			$table,
			array(
				'ns'      => $this->ns,
				'user_id' => (int) $user_id,
			),
			array( '%s', '%d' )
		);
		$this->bump( $rooms, $this->now() );
		return $removed;
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
	 * Per-room summaries of the current namespace, with lazy expiry: rooms holding expired
	 * entries lose them (and get a new version) first.
	 *
	 * @param string $where SQL condition on the entries (alias p), prepared.
	 * @return array[] Rows of room, entries, users, version, updated; newest first.
	 */
	private function summaries( $where ) {
		global $wpdb;
		$table    = self::table();
		$versions = self::versions_table();
		$now      = $this->now();
		for ( $pass = 0; $pass < 2; $pass++ ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- own tables; $where is prepared.
			$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT p.room, COUNT(*) AS entries, COUNT(DISTINCT p.user_id) AS users, MAX(p.updated) AS updated, MIN(p.expires) AS first_expiry, MAX(p.expires) AS last_expiry, MAX(v.version) AS version FROM {$table} p LEFT JOIN {$versions} v ON v.ns = p.ns AND v.room = p.room WHERE p.ns = %s AND ", $this->ns ) . $where . ' GROUP BY p.room ORDER BY MAX(p.updated) DESC', ARRAY_A );
			$stale = array();
			$fresh = array();
			foreach ( $rows as $row ) {
				if ( (int) $row['first_expiry'] <= $now ) {
					$stale[] = $row['room']; // Expired entries: reclaim them, new version.
				} elseif ( null === $row['version'] ) {
					$fresh[] = $row['room']; // Entries from before the version table.
				}
			}
			if ( ! $stale && ! $fresh ) {
				break;
			}
			$this->expire_rooms( $stale, $now );
			$this->bump( $fresh, $now );
		}
		$out = array();
		foreach ( $rows as $row ) {
			if ( (int) $row['last_expiry'] <= $now ) {
				continue;
			}
			$out[] = array(
				'room'    => $row['room'],
				'entries' => (int) $row['entries'],
				'users'   => (int) $row['users'],
				'version' => (int) $row['version'],
				'updated' => (int) $row['updated'],
			);
		}
		return $out;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		global $wpdb;
		return $this->summaries( $wpdb->prepare( 'p.room LIKE %s', $wpdb->esc_like( (string) $prefix ) . '%' ) );
	}

	/**
	 * {@inheritDoc} One query for every namespace: live entries grouped by namespace and user.
	 *
	 * @param string[] $namespaces Namespaces.
	 * @param string   $room       Room.
	 */
	public function room_counts( array $namespaces, $room ) {
		global $wpdb;
		$out   = array();
		$by_ns = array();
		foreach ( $namespaces as $key => $ns ) {
			$out[ $key ]             = array(
				'entries' => 0,
				'users'   => array(),
				'updated' => 0,
			);
			$by_ns[ (string) $ns ][] = $key;
		}
		if ( ! $by_ns ) {
			return $out;
		}
		$table = self::table();
		$list  = implode( ',', array_fill( 0, count( $by_ns ), '%s' ) );
		$args  = array_merge( array( (string) $room, $this->now() ), array_map( 'strval', array_keys( $by_ns ) ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- own table; $list is placeholders.
		$rows = (array) $wpdb->get_results( $wpdb->prepare( "SELECT ns, user_id, COUNT(*) AS entries, MAX(updated) AS updated FROM {$table} WHERE room = %s AND expires > %d AND ns IN ({$list}) GROUP BY ns, user_id ORDER BY user_id", $args ), ARRAY_A );
		foreach ( $rows as $row ) {
			if ( ! isset( $by_ns[ $row['ns'] ] ) ) {
				continue; // A collation that matched another spelling.
			}
			foreach ( $by_ns[ $row['ns'] ] as $key ) {
				$out[ $key ]['entries'] += (int) $row['entries'];
				$out[ $key ]['users'][]  = (int) $row['user_id'];
				$out[ $key ]['updated']  = max( $out[ $key ]['updated'], (int) $row['updated'] );
			}
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
		$table    = self::table();
		$versions = self::versions_table();
		$now      = $this->now();
		$known    = $this->take_known_version( (string) $room );
		for ( $pass = 0; $pass < 2; $pass++ ) {
			if ( 0 === $pass && null !== $known ) {
				$row = $known; // Read with the entry a moment ago.
			} else {
				// O(1): the version row, and the first and last expiry from the (ns, room, expires) index.
				// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own tables.
				$row = $wpdb->get_row( $wpdb->prepare( "SELECT (SELECT version FROM {$versions} WHERE ns = %s AND room = %s) AS version, (SELECT MIN(expires) FROM {$table} WHERE ns = %s AND room = %s) AS first_expiry, (SELECT MAX(expires) FROM {$table} WHERE ns = %s AND room = %s) AS last_expiry", $this->ns, (string) $room, $this->ns, (string) $room, $this->ns, (string) $room ), ARRAY_A );
			}
			if ( ! $row || null === $row['first_expiry'] ) {
				return 0; // No entries.
			}
			if ( (int) $row['first_expiry'] <= $now ) {
				$this->expire_rooms( array( (string) $room ), $now );
			} elseif ( null === $row['version'] ) {
				$this->bump( array( (string) $room ), $now );
			} else {
				break;
			}
		}
		return $row && (int) $row['last_expiry'] > $now ? (int) $row['version'] : 0;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $rooms Rooms.
	 */
	public function rooms_entries( array $rooms ) {
		global $wpdb;
		$out = array();
		foreach ( $rooms as $room ) {
			$out[ (string) $room ] = array();
		}
		if ( ! $out ) {
			return $out;
		}
		$table = self::table();
		$in    = implode( ', ', array_fill( 0, count( $out ), '%s' ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- own table; placeholders built above.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT room, client_id, user_id, data, updated, expires FROM {$table} WHERE ns = %s AND room IN ({$in}) AND expires > %d ORDER BY updated DESC, id DESC", array_merge( array( $this->ns ), array_map( 'strval', array_keys( $out ) ), array( $this->now() ) ) ), ARRAY_A );
		foreach ( (array) $rows as $row ) {
			if ( isset( $out[ $row['room'] ] ) ) {
				$out[ $row['room'] ][] = self::entry( $row );
			}
		}
		return $out;
	}

	/**
	 * {@inheritDoc}
	 */
	public function sweep() {
		global $wpdb;
		$this->known_versions = array();
		$table    = self::table();
		$versions = self::versions_table();
		$now      = $this->now();
		$seed     = $now * self::VERSION_SEED;
		// phpcs:disable WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own tables.
		// Every room (of every namespace) that loses an entry gets a new version first.
		$wpdb->query( $wpdb->prepare( "INSERT INTO {$versions} (ns, room, version, updated) SELECT ns, room, %d, %d FROM {$table} WHERE expires <= %d GROUP BY ns, room ON DUPLICATE KEY UPDATE version = GREATEST({$versions}.version + 1, VALUES(version)), updated = VALUES(updated)", $seed, $now, $now ) );
		$swept = (int) $wpdb->query( $wpdb->prepare( "DELETE FROM {$table} WHERE expires <= %d", $now ) );
		// Version rows of empty rooms go once their version is below the current seed: a later
		// entry starts at a seed at least as high, so no version comes back.
		$wpdb->query( $wpdb->prepare( "DELETE v FROM {$versions} v LEFT JOIN {$table} p ON p.ns = v.ns AND p.room = v.room WHERE p.id IS NULL AND v.version < %d", $seed ) );
		// phpcs:enable
		return $swept;
	}

	/**
	 * {@inheritDoc}
	 */
	public function clear() {
		global $wpdb;
		$this->known_versions = array();
		$versions = self::versions_table();
		$now      = $this->now();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table. Kept (bumped), so no version comes back.
		$wpdb->query( $wpdb->prepare( "UPDATE {$versions} SET version = GREATEST(version + 1, %d), updated = %d WHERE ns = %s", $now * self::VERSION_SEED, $now, $this->ns ) );
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
			'clock_offset' => self::clock_offset(),
		);
	}

	/**
	 * {@inheritDoc}
	 */
	public function now() {
		return time() + self::clock_offset();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $seconds Seconds.
	 * @throws LogicException Unless `WP_PRESENCE_TESTING` is true.
	 */
	public function advance( $seconds ) {
		if ( ! self::testing() ) {
			throw new LogicException( 'presence SQL store: the clock only moves in tests; define WP_PRESENCE_TESTING as true before WordPress loads.' );
		}
		$this->known_versions = array();
		$offset               = self::clock_offset() + max( 0, (int) $seconds );
		self::save_offset( $offset );
		return $offset;
	}

	/**
	 * Stores the clock offset, keeping it autoloaded on a single site (update_network_option()
	 * would turn autoload off there, and every request would then pay a query for it).
	 *
	 * @param int $offset Seconds.
	 * @return void
	 */
	private static function save_offset( $offset ) {
		if ( is_multisite() ) {
			update_network_option( null, self::OFFSET_OPTION, (int) $offset );
		} else {
			update_option( self::OFFSET_OPTION, (int) $offset, true );
		}
	}

	/**
	 * Puts the clock back to real time (WP_Presence_Testing::reset_clock()).
	 *
	 * @return void
	 */
	public function reset_clock() {
		$this->known_versions = array();
		if ( 0 !== (int) get_network_option( null, self::OFFSET_OPTION, 0 ) ) {
			self::save_offset( 0 );
		}
	}
}
