<?php
/**
 * Presence store on the `presence` PHP extension (shared memory).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Thin adapter over the extension's functions (docs/CONTRACT.md §1). No SQL at all.
 *
 * @since 1.0.0
 */
class WP_Presence_Store_Extension implements WP_Presence_Store {

	/**
	 * Whether the extension can be used in this process.
	 *
	 * @return bool
	 */
	public static function is_available() {
		return extension_loaded( 'presence' ) && function_exists( 'presence_upsert' );
	}

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return 'extension';
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $ns Namespace.
	 */
	public function set_namespace( $ns ) {
		presence_set_namespace( (string) $ns );
	}

	/**
	 * {@inheritDoc}
	 */
	public function get_namespace() {
		return presence_namespace();
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 */
	public function upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		return presence_upsert( (string) $room, (string) $client_id, (int) $user_id, $data, (int) $ttl );
	}

	/**
	 * Writes an entry and reads its room in one call (presence_exchange(): one lock pass where
	 * the room lives in one shard). Not part of WP_Presence_Store: wp_presence_write() uses it
	 * when a store has it.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 * @return array[] The room's live entries after the write, newest first.
	 */
	public function exchange( $room, $client_id, $user_id, array $data, $ttl ) {
		return presence_exchange( (string) $room, (string) $client_id, (int) $user_id, $data, (int) $ttl );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function get( $room, $client_id ) {
		return presence_get( (string) $room, (string) $client_id );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Max age.
	 */
	public function room( $room, $max_age = null ) {
		return presence_room( (string) $room, null === $max_age ? null : (int) $max_age );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		return presence_remove( (string) $room, (string) $client_id );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		return presence_remove_user( (int) $user_id );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $rooms Rooms.
	 */
	public function rooms_entries( array $rooms ) {
		$out = array();
		foreach ( $rooms as $room ) {
			$out[ (string) $room ] = $this->room( (string) $room );
		}
		return $out;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function user_entries( $user_id ) {
		return presence_user_entries( (int) $user_id );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		return presence_rooms( (string) $prefix );
	}

	/**
	 * Rooms with entries and their versions, without a walk of any room's entries (rooms()
	 * counts each room's users): WP_Presence_View::post_rooms() on every dashboard tick. An
	 * extension built before presence_room_versions() answers through presence_rooms().
	 *
	 * @since 1.4.0
	 *
	 * @param string $prefix Prefix.
	 * @return array[] room, version; sorted by room name.
	 */
	public function room_versions( $prefix = '' ) {
		return function_exists( 'presence_room_versions' ) ? presence_room_versions( (string) $prefix ) : presence_rooms( (string) $prefix );
	}

	/**
	 * {@inheritDoc} One walk of the segment.
	 *
	 * @param string[] $namespaces Namespaces.
	 * @param string   $room       Room.
	 */
	public function room_counts( array $namespaces, $room ) {
		return presence_room_counts( array_map( 'strval', $namespaces ), (string) $room );
	}

	/**
	 * The live entries of a room's first users by each user's newest entry, plus every live
	 * entry of `$user_id`, and how many users (id > 0) the room holds (presence_room_top():
	 * only the picked users' entries become PHP arrays). Not part of WP_Presence_Store: the
	 * view asks for it with method_exists().
	 *
	 * @since 1.4.0
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users to pick, 1..1000 (outside: a ValueError).
	 * @param int    $user_id A user whose entries come too (0: none).
	 * @return array 'entries' => array[] (as room() shapes them, newest first), 'users' => int.
	 */
	public function room_top( $room, $users, $user_id = 0 ) {
		return presence_room_top( (string) $room, (int) $users, (int) $user_id );
	}

	/**
	 * How many users (id above 0) have a live entry in a room: room_top()'s count, with one
	 * user's entries (one walk of the room in the segment, no other entry reaches PHP).
	 *
	 * @since 1.4.0
	 *
	 * @param string $room Room.
	 * @return int
	 */
	public function room_user_count( $room ) {
		return (int) presence_room_top( (string) $room, 1 )['users'];
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room Room.
	 */
	public function room_version( $room ) {
		return presence_room_version( (string) $room );
	}

	/**
	 * What changed in a room since a version, every live entry of each touched user included
	 * (presence_changes() with `$whole_users`). Only this store keeps a change log; the view
	 * asks for it with method_exists() and reads the whole room from the others.
	 *
	 * @param string $room      Room.
	 * @param int    $since     Version the caller has.
	 * @param int    $max_users Above 0: null as well when more users than that changed (the
	 *                          caller would send rows instead, so no entry is built). Default 0.
	 * @return array|null version, changed (entries), removed (client_id, user_id); null when the
	 *                    log no longer reaches back to `$since`, or beyond `$max_users`.
	 */
	public function changes( $room, $since, $max_users = 0 ) {
		return presence_changes( (string) $room, max( 0, (int) $since ), true, max( 0, (int) $max_users ) );
	}

	/**
	 * {@inheritDoc}
	 */
	public function sweep() {
		return presence_sweep();
	}

	/**
	 * {@inheritDoc}
	 */
	public function clear() {
		return presence_clear();
	}

	/**
	 * {@inheritDoc}
	 */
	public function stats() {
		return presence_stats();
	}

	/**
	 * {@inheritDoc}
	 */
	public function now() {
		return presence_time();
	}

	/**
	 * {@inheritDoc}
	 *
	 * Needs ini `presence.debug_clock=1`; moves the clock of every process using the segment.
	 *
	 * @param int $seconds Seconds.
	 */
	public function advance( $seconds ) {
		return presence_debug_advance( (int) $seconds );
	}
}
