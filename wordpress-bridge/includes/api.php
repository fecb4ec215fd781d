<?php
/**
 * The public presence API: presence-api's contract functions.
 *
 * Every definition is guarded with function_exists(), so another implementation loaded first
 * wins; the main file refuses to load next to presence-api itself.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Default TTL of entries written through wp_set_presence(), in seconds.
 *
 * @since 1.0.0
 *
 * @return int
 */
function wp_presence_default_ttl() {
	/**
	 * Filters the default TTL of presence entries (presence-api contract).
	 *
	 * @since 1.0.0
	 *
	 * @param int $ttl Seconds; WP_PRESENCE_DEFAULT_TTL (60) unless changed.
	 */
	$ttl = (int) apply_filters( 'wp_presence_default_ttl', (int) WP_PRESENCE_DEFAULT_TTL );
	return max( 1, min( 86400, $ttl ) );
}

/**
 * TTL of entries written by Heartbeat: longer than the 120 s unfocused interval.
 *
 * @since 1.0.0
 *
 * @return int
 */
function wp_presence_heartbeat_ttl() {
	/**
	 * Filters the TTL of entries written by Heartbeat.
	 *
	 * @since 1.0.0
	 *
	 * @param int $ttl Seconds; WP_PRESENCE_HEARTBEAT_TTL (150) unless changed.
	 */
	$ttl = (int) apply_filters( 'wp_presence_heartbeat_ttl', (int) WP_PRESENCE_HEARTBEAT_TTL );
	return max( 1, min( 86400, $ttl ) );
}

/**
 * Turns a store entry into presence-api's entry shape.
 *
 * The reserved keys (the bridge's `_wp` card) are left out.
 *
 * @since 1.0.0
 *
 * @param array $entry Store entry.
 * @return object room, client_id, user_id (numeric string), data (array), date_gmt (UTC 'Y-m-d H:i:s').
 */
function wp_presence_format_entry( array $entry ) {
	$data = isset( $entry['data'] ) && is_array( $entry['data'] ) ? wp_presence_without_reserved_keys( $entry['data'] ) : array();
	return (object) array(
		'room'      => (string) $entry['room'],
		'client_id' => (string) $entry['client_id'],
		'user_id'   => (string) (int) $entry['user_id'],
		'data'      => $data,
		'date_gmt'  => gmdate( 'Y-m-d H:i:s', (int) $entry['updated'] ),
	);
}

if ( ! function_exists( 'wp_get_presence' ) ) {
	/**
	 * Entries of a room, newest first.
	 *
	 * Unlike presence-api, entries carry their own TTL: with `$timeout = null` (the default)
	 * every live entry is returned, whatever TTL it was written with (Heartbeat entries live
	 * 150 s, wp_set_presence() entries the default TTL). An int keeps only the entries written
	 * within the last `$timeout` seconds, as presence-api's `date_gmt > now - timeout`.
	 *
	 * Entries of hidden (invisible) users are not returned, except to the user themself; a
	 * non-canonical spelling of an interpreted room returns nothing.
	 *
	 * @since 1.0.0
	 *
	 * @param string   $room    Room.
	 * @param int|null $timeout Maximum age in seconds, or null for every live entry.
	 * @return object[] Entries: room, client_id, user_id (numeric string), data, date_gmt.
	 */
	function wp_get_presence( $room, $timeout = null ) {
		$room = is_scalar( $room ) ? (string) $room : '';
		if ( false === wp_presence_room_kind( $room ) ) {
			return array();
		}
		$max_age = null === $timeout ? null : max( 0, (int) $timeout );
		try {
			$entries = array();
			foreach ( wp_presence_store()->room( $room, $max_age ) as $entry ) {
				if ( $entry['room'] === $room ) { // A store comparing case-insensitively may return other spellings.
					$entries[] = $entry;
				}
			}
			// A hidden user reads their own entries back; nobody else finds them.
			$viewer = get_current_user_id();
			if ( $viewer > 0 && wp_presence_user_is_hidden( $viewer ) ) {
				$own = wp_presence_in_hidden(
					static function ( WP_Presence_Store $store ) use ( $room, $max_age ) {
						return $store->room( $room, $max_age );
					}
				);
				foreach ( $own as $entry ) {
					if ( (int) $entry['user_id'] === $viewer && $entry['room'] === $room ) {
						$entries[] = $entry;
					}
				}
				usort(
					$entries,
					static function ( $a, $b ) {
						return $b['updated'] <=> $a['updated'];
					}
				);
			}
		} catch ( Throwable $e ) {
			return array();
		}
		return array_map( 'wp_presence_format_entry', $entries );
	}
}

if ( ! function_exists( 'wp_set_presence' ) ) {
	/**
	 * Creates or refreshes an entry with the default TTL.
	 *
	 * @since 1.0.0
	 *
	 * @param string $room      Room (1..191 characters).
	 * @param string $client_id Client id (1..191 characters).
	 * @param array  $state     Data; anything that is not an array is stored as an empty array.
	 *                          The reserved key `_wp` is dropped.
	 * @param int    $user_id   User id; 0 means the current user.
	 * @return bool True on success; false for a non-canonical spelling of an interpreted room,
	 *              a new entry beyond the user's or the site's limit, invalid data, a store
	 *              failure, or recording off. A hidden user's entry goes to the site's hidden
	 *              namespace.
	 */
	function wp_set_presence( $room, $client_id, $state, $user_id = 0 ) {
		if ( ! is_scalar( $room ) || ! is_scalar( $client_id ) || ! wp_presence_recording_enabled() ) {
			return false;
		}
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			$user_id = get_current_user_id();
		}
		$result = wp_presence_write( (string) $room, (string) $client_id, $user_id, is_array( $state ) ? $state : array(), wp_presence_default_ttl() );
		return ! is_wp_error( $result );
	}
}

if ( ! function_exists( 'wp_remove_presence' ) ) {
	/**
	 * Removes one entry.
	 *
	 * @since 1.0.0
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @return bool True, even if nothing was there (presence-api contract).
	 */
	function wp_remove_presence( $room, $client_id ) {
		$room      = is_scalar( $room ) ? (string) $room : '';
		$client_id = is_scalar( $client_id ) ? (string) $client_id : '';
		if ( false === wp_presence_room_kind( $room ) || ! wp_presence_is_client_id( $client_id ) ) {
			return false;
		}
		try {
			wp_presence_remove_entry( $room, $client_id );
		} catch ( Throwable $e ) {
			return false;
		}
		return true;
	}
}

if ( ! function_exists( 'wp_remove_user_presence' ) ) {
	/**
	 * Removes every entry of a user on the current site.
	 *
	 * @since 1.0.0
	 *
	 * @param int $user_id User id.
	 * @return int|false Entries removed, or false on failure.
	 */
	function wp_remove_user_presence( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return 0;
		}
		try {
			return wp_presence_remove_user_entries( $user_id );
		} catch ( Throwable $e ) {
			return false;
		}
	}
}

if ( ! function_exists( 'wp_presence_admin_room' ) ) {
	/**
	 * The room every user on an admin screen is in.
	 *
	 * @since 1.0.0
	 *
	 * @return string 'admin/online'.
	 */
	function wp_presence_admin_room() {
		return 'admin/online';
	}
}

if ( ! function_exists( 'wp_presence_post_room' ) ) {
	/**
	 * The room of a post being edited.
	 *
	 * @since 1.0.0
	 *
	 * @param int|WP_Post $post Post or id.
	 * @return string|false 'postType/{type}:{id}', or false when the post is missing or its
	 *                      type lacks `presence` support.
	 */
	function wp_presence_post_room( $post ) {
		$post = get_post( $post );
		if ( ! $post || ! post_type_supports( $post->post_type, 'presence' ) ) {
			return false;
		}
		return 'postType/' . $post->post_type . ':' . $post->ID;
	}
}

if ( ! function_exists( 'wp_can_access_presence_room' ) ) {
	/**
	 * Whether a user may read and write a room.
	 *
	 * @since 1.0.0
	 *
	 * @param string $room    Room.
	 * @param int    $user_id User id; 0 means the current user.
	 * @return bool False for logged-out users and for names that are no room (see
	 *              wp_presence_room_kind()). A post room needs `edit_post` on that post, any
	 *              other room `edit_posts`.
	 */
	function wp_can_access_presence_room( $room, $user_id = 0 ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			$user_id = get_current_user_id();
		}
		$kind = wp_presence_room_kind( $room );
		if ( $user_id <= 0 || false === $kind ) {
			return false; // Non-canonical spellings of interpreted rooms are no rooms at all.
		}
		$parsed = 'post' === $kind ? wp_presence_parse_post_room( $room ) : null;
		if ( $parsed ) {
			$post = get_post( $parsed[1] );
			$can  = $post && $post->post_type === $parsed[0] && ( get_current_user_id() === $user_id ? current_user_can( 'edit_post', $post->ID ) : user_can( $user_id, 'edit_post', $post->ID ) );
		} else {
			$can = get_current_user_id() === $user_id ? current_user_can( 'edit_posts' ) : user_can( $user_id, 'edit_posts' );
		}

		/**
		 * Filters whether a user may access a presence room.
		 *
		 * @since 1.0.0
		 *
		 * @param bool   $can     Whether access is granted.
		 * @param string $room    Room.
		 * @param int    $user_id User id.
		 */
		return (bool) apply_filters( 'wp_can_access_presence_room', $can, (string) $room, $user_id );
	}
}

/**
 * Adds `presence` support to posts and pages (the post rooms exist only for supporting types).
 *
 * @since 1.0.0
 *
 * @return void
 */
function wp_presence_add_post_type_support() {
	add_post_type_support( 'post', 'presence' );
	add_post_type_support( 'page', 'presence' );
}

/**
 * Whether presence is available: recording is on and the store answers.
 *
 * @since 1.0.0
 * @since 1.1.0 False while recording is off (as presence-api).
 *
 * @return bool
 */
function wp_presence_is_available() {
	if ( ! wp_presence_recording_enabled() ) {
		return false;
	}
	try {
		wp_presence_store()->now();
		return true;
	} catch ( Throwable $e ) {
		return false;
	}
}
