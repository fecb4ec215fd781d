<?php
/**
 * presence-api's poll functions: write my entry and read the room (wp_presence_exchange()),
 * remove my entry and read what is left (wp_presence_leave()).
 *
 * A poll is what a real-time caller (block-editor awareness) does every few seconds, so it
 * costs as few store calls as the store allows: the extension writes and reads in one call
 * (presence_exchange()) when the entry is a refresh; SQL and Redis read the room once and
 * write once, and an unchanged state younger than half its lifetime is not written at all.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Before an exchange's write: the room's entries and my old entry among them (one read), or,
 * on a store that writes and reads in one call, only my old entry.
 *
 * @since 1.3.0
 *
 * @param WP_Presence_Store $store     Store, in the namespace written to.
 * @param string            $room      Room.
 * @param string            $client_id Client id.
 * @return array old (entry or null), entries (array[]|null: null when not read).
 */
function wp_presence_exchange_read( WP_Presence_Store $store, $room, $client_id ) {
	if ( method_exists( $store, 'exchange' ) ) {
		return array(
			'old'     => $store->get( $room, $client_id ),
			'entries' => null,
		);
	}
	$old     = null;
	$entries = array();
	foreach ( $store->room( $room ) as $entry ) {
		if ( $entry['room'] !== $room ) {
			continue; // A store comparing case-insensitively may return other spellings.
		}
		if ( $entry['client_id'] === $client_id ) {
			$old = $entry;
		}
		$entries[] = $entry;
	}
	return array(
		'old'     => $old,
		'entries' => $entries,
	);
}

/**
 * The room's entries read before a write, with the written entry in its new state, first.
 *
 * @since 1.3.0
 *
 * @param WP_Presence_Store $store     Store.
 * @param array[]|null      $entries   Entries read before the write (null: not read).
 * @param string            $room      Room.
 * @param string            $client_id Client id.
 * @param int               $user_id   User id.
 * @param array             $data      Data written.
 * @param int               $ttl       TTL written.
 * @return array[]|null
 */
function wp_presence_exchange_merge( WP_Presence_Store $store, $entries, $room, $client_id, $user_id, array $data, $ttl ) {
	if ( null === $entries ) {
		return null;
	}
	$now  = $store->now();
	$list = array(
		array(
			'room'      => $room,
			'client_id' => $client_id,
			'user_id'   => $user_id,
			'data'      => $data,
			'updated'   => $now,
			'expires'   => $now + $ttl,
		),
	);
	foreach ( $entries as $entry ) {
		if ( $entry['client_id'] !== $client_id ) {
			$list[] = $entry;
		}
	}
	return $list;
}

/**
 * Whether a change of an entry's data shows to anyone but its writer, so that its room needs a
 * new version. In `admin/online` and post rooms others only see the interpreted keys (and the
 * writer's card) of an entry (WP_Presence_View); a caller's own keys there, such as
 * block-editor awareness, change no reply. Elsewhere, or when a `wp_presence_see_entry` rule
 * may show more, every change counts.
 *
 * @since 1.3.0
 *
 * @param string $room Room.
 * @param mixed  $old  Stored data.
 * @param array  $new  New data.
 * @return bool
 */
function wp_presence_change_is_seen( $room, $old, array $new ) {
	if ( $old === $new ) {
		return false;
	}
	if ( ! is_array( $old ) || ! wp_presence_is_interpreted_room( $room ) || has_filter( 'wp_presence_see_entry' ) ) {
		return true;
	}
	foreach ( array_merge( array( 'screen', 'activity', 'post_id', 'title' ), wp_presence_reserved_keys() ) as $key ) {
		if ( array_key_exists( $key, $old ) !== array_key_exists( $key, $new ) || ( isset( $old[ $key ] ) && $old[ $key ] !== $new[ $key ] ) ) {
			return true;
		}
	}
	return false;
}

if ( ! function_exists( 'wp_presence_exchange' ) ) {
	/**
	 * Writes my entry and reads the room in one call (presence-api 0.8).
	 *
	 * The write is wp_set_presence()'s (default TTL, objects stored as JSON would, a refresh
	 * that changes nothing skipped until half the lifetime); the read is wp_get_presence()'s.
	 * Fires `set_presence` after a write.
	 *
	 * @since 1.3.0
	 *
	 * @param string   $room          Room.
	 * @param string   $client_id     Client id.
	 * @param mixed    $state         Data (array or object).
	 * @param int      $user_id       User id; 0 means the current user.
	 * @param int|null $timeout       Maximum age of the entries read (see wp_get_presence()).
	 * @param string   $client_prefix Only read client ids starting with it.
	 * @return object[]|false The room's entries after the write, mine included, newest first
	 *                        (wp_get_presence() shape); false when the write was refused (as
	 *                        wp_set_presence() returning false).
	 */
	function wp_presence_exchange( $room, $client_id, $state, $user_id = 0, $timeout = null, $client_prefix = '' ) {
		if ( ! is_scalar( $room ) || ! is_scalar( $client_id ) || ! wp_presence_recording_enabled() ) {
			return false;
		}
		$room      = (string) $room;
		$client_id = (string) $client_id;
		$user_id   = (int) $user_id > 0 ? (int) $user_id : get_current_user_id();
		$data      = wp_presence_state_array( $state );
		$max_age   = wp_presence_read_max_age( $timeout );
		$result    = wp_presence_write( $room, $client_id, $user_id, $data, wp_presence_default_ttl(), array( 'may_skip' => true, 'exchange' => array() ) );
		if ( is_wp_error( $result ) ) {
			return false;
		}
		if ( $result['written'] ) {
			/** This action is documented in includes/api.php */
			do_action( 'set_presence', $room, $client_id, wp_presence_without_reserved_keys( $data ), $user_id );
		}
		try {
			$entries = $result['entries'];
			// What was read is the namespace written to: a hidden user's (their own entries only,
			// besides the site's), or nothing yet; then read as wp_get_presence() does.
			if ( null === $entries || wp_presence_user_is_hidden( $user_id ) || get_current_user_id() !== $user_id ) {
				$entries = wp_presence_room_entries( $room, $max_age, $client_prefix );
			} else {
				$now     = null === $max_age ? 0 : wp_presence_store()->now(); // A Redis round trip: only when needed.
				$entries = wp_presence_room_entries(
					$room,
					$max_age,
					$client_prefix,
					array_filter(
						$entries,
						static function ( $entry ) use ( $max_age, $now ) {
							return null === $max_age || (int) $entry['updated'] > $now - $max_age;
						}
					)
				);
			}
		} catch ( Throwable $e ) {
			return array();
		}
		return array_map( 'wp_presence_format_entry', $entries );
	}
}

if ( ! function_exists( 'wp_presence_leave' ) ) {
	/**
	 * Removes my entry and reads the room's remaining entries (presence-api 0.8). Fires
	 * `removed_presence`.
	 *
	 * @since 1.3.0
	 *
	 * @param string   $room          Room.
	 * @param string   $client_id     Client id.
	 * @param int|null $timeout       Maximum age of the entries read (see wp_get_presence()).
	 * @param string   $client_prefix Only read client ids starting with it.
	 * @return object[]|false The remaining entries (wp_get_presence() shape); false for a room
	 *                        or client id that is not valid, or a store failure.
	 */
	function wp_presence_leave( $room, $client_id, $timeout = null, $client_prefix = '' ) {
		if ( ! wp_remove_presence( $room, $client_id ) ) {
			return false;
		}
		return wp_get_presence( $room, $timeout, $client_prefix );
	}
}
