<?php
/**
 * The storage interface every presence backend implements.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * A presence store: entries keyed by (room, client_id) with a TTL, in the current namespace.
 *
 * The semantics are those of the `presence` extension (docs/CONTRACT.md §1). An entry is
 * `array( 'room' => string, 'client_id' => string, 'user_id' => int, 'data' => array,
 * 'updated' => int, 'expires' => int )`, times in unix seconds of the store's clock (`now()`).
 *
 * @since 1.0.0
 */
interface WP_Presence_Store {

	/**
	 * Short name of the backend: 'extension', 'sql', 'redis', ...
	 *
	 * @return string
	 */
	public function name();

	/**
	 * Selects the namespace every later call works in.
	 *
	 * @param string $ns Namespace, at most 64 bytes.
	 * @return void
	 */
	public function set_namespace( $ns );

	/**
	 * The current namespace.
	 *
	 * @return string
	 */
	public function get_namespace();

	/**
	 * Creates or refreshes an entry.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       Lifetime in seconds (1..86400).
	 * @return bool True when the room changed (new entry, new user or data), false for a mere refresh.
	 */
	public function upsert( $room, $client_id, $user_id, array $data, $ttl );

	/**
	 * One live entry.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @return array|null
	 */
	public function get( $room, $client_id );

	/**
	 * Live entries of a room, newest first.
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Only entries written within the last $max_age seconds.
	 * @return array[]
	 */
	public function room( $room, $max_age = null );

	/**
	 * Removes one entry.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @return bool True when something was removed.
	 */
	public function remove( $room, $client_id );

	/**
	 * Removes every entry of a user.
	 *
	 * @param int $user_id User id.
	 * @return int Entries removed.
	 */
	public function remove_user( $user_id );

	/**
	 * Live entries of several rooms at once (one query on the SQL store).
	 *
	 * @since 1.1.0
	 *
	 * @param string[] $rooms Rooms.
	 * @return array[] By room (every room asked for): its live entries, newest first.
	 */
	public function rooms_entries( array $rooms );

	/**
	 * Live entries of a user across all rooms, newest first.
	 *
	 * @param int $user_id User id.
	 * @return array[]
	 */
	public function user_entries( $user_id );

	/**
	 * Live rooms whose name starts with a prefix.
	 *
	 * @param string $prefix Prefix.
	 * @return array[] Rows of room, entries, users, version, updated.
	 */
	public function rooms( $prefix = '' );

	/**
	 * One room's live entries and distinct users in each of several namespaces, whatever the
	 * current one (the network view: one namespace per site), in one store call.
	 *
	 * @since 1.3.0
	 *
	 * @param string[] $namespaces Namespaces, keyed as the answer is (blog ids, say).
	 * @param string   $room       Room.
	 * @return array[] Under each key of $namespaces: entries (int), users (distinct user ids,
	 *                 ascending), updated (newest write, 0 when empty).
	 */
	public function room_counts( array $namespaces, $room );

	/**
	 * Change counter of a room; 0 for an empty room. Compare for equality only.
	 *
	 * @param string $room Room.
	 * @return int
	 */
	public function room_version( $room );

	/**
	 * Reclaims expired entries (all namespaces).
	 *
	 * @return int Entries reclaimed.
	 */
	public function sweep();

	/**
	 * Removes every entry of the current namespace.
	 *
	 * @return int Entries removed.
	 */
	public function clear();

	/**
	 * Backend statistics.
	 *
	 * @return array
	 */
	public function stats();

	/**
	 * The store's clock in unix seconds.
	 *
	 * @return int
	 */
	public function now();

	/**
	 * Moves the store's clock forward (tests only).
	 *
	 * @param int $seconds Seconds.
	 * @return int The total offset.
	 */
	public function advance( $seconds );
}
