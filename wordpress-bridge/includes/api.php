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
	 * @param int $ttl Seconds; WP_PRESENCE_DEFAULT_TTL (150) unless changed.
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

/**
 * A caller's `$state` as the array presence-api stores: it keeps state as JSON, so an object's
 * public properties (nested objects too) read back as an associative array, and a scalar reads
 * back as `[]`.
 *
 * @since 1.3.0
 *
 * @param mixed $state State.
 * @return array
 */
function wp_presence_state_array( $state ) {
	if ( is_array( $state ) && ! wp_presence_holds_objects( $state ) ) {
		return $state; // Already what a JSON round trip gives: skip the encoding.
	}
	if ( ! is_array( $state ) && ! is_object( $state ) ) {
		return array();
	}
	$json    = wp_json_encode( $state );
	$decoded = false === $json ? null : json_decode( $json, true );
	return is_array( $decoded ) ? $decoded : array();
}

/**
 * Whether an array holds an object at any depth.
 *
 * @since 1.3.0
 *
 * @param array $value Value.
 * @return bool
 */
function wp_presence_holds_objects( array $value ) {
	foreach ( $value as $item ) {
		if ( is_object( $item ) || ( is_array( $item ) && wp_presence_holds_objects( $item ) ) ) {
			return true;
		}
	}
	return false;
}

/**
 * Longest per-entry lifetime `wp_set_presence()` accepts through `$expires_in`.
 *
 * @since 1.3.0
 *
 * @return int Seconds.
 */
function wp_presence_max_expires_in() {
	/**
	 * Filters the longest lifetime a caller may give one entry (presence-api contract).
	 *
	 * @since 1.3.0
	 *
	 * @param int $max Seconds. Default 3600.
	 */
	return max( 1, min( 86400, (int) apply_filters( 'wp_presence_max_expires_in', 3600 ) ) );
}

/**
 * The lifetime left to an entry written at `$date_gmt` that lives `$expires_in` seconds.
 *
 * @since 1.3.0
 *
 * @param string|null $date_gmt   UTC 'Y-m-d H:i:s' of the write, or null for now.
 * @param int|null    $expires_in Lifetime in seconds (capped by wp_presence_max_expires_in()),
 *                                or null for the default TTL.
 * @return int|false Seconds left (0: already expired), or false for an invalid argument.
 */
function wp_presence_ttl_left( $date_gmt, $expires_in ) {
	$ttl = wp_presence_default_ttl();
	if ( null !== $expires_in ) {
		if ( ! is_numeric( $expires_in ) || (int) $expires_in <= 0 ) {
			return false;
		}
		$ttl = min( (int) $expires_in, wp_presence_max_expires_in() );
	}
	if ( null === $date_gmt ) {
		return $ttl;
	}
	$time = is_string( $date_gmt ) ? DateTime::createFromFormat( '!Y-m-d H:i:s', $date_gmt, new DateTimeZone( 'UTC' ) ) : false;
	if ( ! $time || $time->format( 'Y-m-d H:i:s' ) !== $date_gmt ) {
		return false;
	}
	// The store stamps its own clock; a time in the future counts as now.
	$age = max( 0, wp_presence_store()->now() - $time->getTimestamp() );
	return max( 0, $ttl - $age );
}

if ( ! function_exists( 'wp_get_presence' ) ) {
	/**
	 * Entries of a room, newest first.
	 *
	 * Entries carry their own expiry: with `$timeout = null` (the default) every live entry is
	 * returned, whatever lifetime it was written with, unless the `wp_presence_default_ttl`
	 * filter is hooked: then, as in presence-api, only the entries written within that many
	 * seconds. An int `$timeout` wins over the filter and keeps the entries written within the
	 * last `$timeout` seconds (presence-api's `date_gmt > now - timeout`).
	 *
	 * Entries of hidden (invisible) users are not returned, except to the user themself; a
	 * non-canonical spelling of an interpreted room returns nothing.
	 *
	 * @since 1.0.0
	 * @since 1.3.0 The `$client_prefix` argument; the filter applies to reads.
	 *
	 * @param string   $room          Room.
	 * @param int|null $timeout       Maximum age in seconds, or null.
	 * @param string   $client_prefix Only client ids starting with it ('' for all).
	 * @return object[] Entries: room, client_id, user_id (numeric string), data, date_gmt.
	 */
	function wp_get_presence( $room, $timeout = null, $client_prefix = '' ) {
		$room = is_scalar( $room ) ? (string) $room : '';
		if ( false === wp_presence_room_kind( $room ) ) {
			return array();
		}
		try {
			$entries = wp_presence_room_entries( $room, wp_presence_read_max_age( $timeout ), $client_prefix );
		} catch ( Throwable $e ) {
			return array();
		}
		return array_map( 'wp_presence_format_entry', $entries );
	}
}

/**
 * The age window of a read: an explicit timeout, else the filtered default TTL when the filter
 * is hooked, else none (every live entry).
 *
 * @since 1.3.0
 *
 * @param int|null $timeout Caller's timeout.
 * @return int|null
 */
function wp_presence_read_max_age( $timeout ) {
	if ( null !== $timeout ) {
		return max( 0, (int) $timeout );
	}
	return has_filter( 'wp_presence_default_ttl' ) ? wp_presence_default_ttl() : null;
}

/**
 * Raw entries of a room as the current user may read them through the public functions: the
 * site's entries, plus a hidden user's own; newest first.
 *
 * @since 1.3.0
 *
 * @param string      $room          Room (canonical).
 * @param int|null    $max_age       Age window.
 * @param string      $client_prefix Client id prefix ('' for all).
 * @param array[]|null $site_entries The site namespace's entries when already read.
 * @return array[] Store entries.
 */
function wp_presence_room_entries( $room, $max_age, $client_prefix = '', $site_entries = null ) {
	$client_prefix = is_scalar( $client_prefix ) ? (string) $client_prefix : '';
	$keep          = static function ( $entry ) use ( $room, $client_prefix ) {
		// A store comparing case-insensitively may return other spellings.
		return $entry['room'] === $room && ( '' === $client_prefix || 0 === strpos( (string) $entry['client_id'], $client_prefix ) );
	};
	$entries = array_values( array_filter( null === $site_entries ? wp_presence_store()->room( $room, $max_age ) : $site_entries, $keep ) );
	// A hidden user reads their own entries back; nobody else finds them.
	$viewer = get_current_user_id();
	if ( $viewer > 0 && wp_presence_user_is_hidden( $viewer ) ) {
		$own = wp_presence_in_hidden(
			static function ( WP_Presence_Store $store ) use ( $room, $max_age ) {
				return $store->room( $room, $max_age );
			}
		);
		foreach ( $own as $entry ) {
			if ( (int) $entry['user_id'] === $viewer && $keep( $entry ) ) {
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
	return $entries;
}

if ( ! function_exists( 'wp_set_presence' ) ) {
	/**
	 * Creates or refreshes an entry.
	 *
	 * A write that would only move the timestamp of an entry younger than half its lifetime is
	 * skipped (as presence-api since 0.4); an explicit `$date_gmt` always writes.
	 *
	 * @since 1.0.0
	 * @since 1.3.0 `$date_gmt` and `$expires_in`; objects are stored as presence-api does.
	 *
	 * @param string      $room       Room (1..191 characters).
	 * @param string      $client_id  Client id (1..191 characters).
	 * @param mixed       $state      Data: an array, or an object (its public properties, nested
	 *                                objects included, read back as an associative array, as
	 *                                after a JSON round trip); a scalar is stored as `[]`.
	 *                                The reserved key `_wp` is dropped.
	 * @param int         $user_id    User id; 0 means the current user.
	 * @param string|null $date_gmt   UTC 'Y-m-d H:i:s' of the write: the entry expires counting
	 *                                from it. It reads back as the store's time of the write.
	 * @param int|null    $expires_in Lifetime in seconds instead of the default TTL, at most
	 *                                wp_presence_max_expires_in() (3600).
	 * @return bool True on success; false for a non-canonical spelling of an interpreted room,
	 *              an invalid `$date_gmt` or `$expires_in`, a new entry beyond the user's or
	 *              the site's limit, invalid data, a store failure, or recording off. A hidden
	 *              user's entry goes to the site's hidden namespace.
	 */
	function wp_set_presence( $room, $client_id, $state, $user_id = 0, $date_gmt = null, $expires_in = null ) {
		if ( ! is_scalar( $room ) || ! is_scalar( $client_id ) || ! wp_presence_recording_enabled() ) {
			return false;
		}
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			$user_id = get_current_user_id();
		}
		try {
			$ttl = wp_presence_ttl_left( $date_gmt, $expires_in );
		} catch ( Throwable $e ) {
			return false;
		}
		if ( false === $ttl ) {
			return false;
		}
		$data = wp_presence_state_array( $state );
		if ( 0 === $ttl ) {
			return true; // Written long enough ago to be expired already: nothing to store.
		}
		$result = wp_presence_write( (string) $room, (string) $client_id, $user_id, $data, $ttl, array( 'may_skip' => null === $date_gmt ) );
		if ( is_wp_error( $result ) ) {
			return false;
		}
		/**
		 * Fires after wp_set_presence() stored an entry (presence-api contract).
		 *
		 * @since 1.3.0
		 *
		 * @param string $room      Room.
		 * @param string $client_id Client id.
		 * @param array  $state     Data as stored.
		 * @param int    $user_id   User id.
		 */
		do_action( 'set_presence', (string) $room, (string) $client_id, wp_presence_without_reserved_keys( $data ), $user_id );
		return true;
	}
}

if ( ! function_exists( 'wp_remove_presence' ) ) {
	/**
	 * Removes one entry.
	 *
	 * @since 1.0.0
	 * @since 1.3.0 Fires `removed_presence`.
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
		/**
		 * Fires after wp_remove_presence() (presence-api contract), whether or not there was an entry.
		 *
		 * @since 1.3.0
		 *
		 * @param string $room      Room.
		 * @param string $client_id Client id.
		 */
		do_action( 'removed_presence', $room, $client_id );
		return true;
	}
}

if ( ! function_exists( 'wp_remove_user_presence' ) ) {
	/**
	 * Removes every entry of a user on the current site, hidden ones included.
	 *
	 * @since 1.0.0
	 * @since 1.3.0 Returns true, as presence-api; fires `removed_user_presence`.
	 *
	 * @param int $user_id User id.
	 * @return bool True (also when there was nothing); false when the store failed.
	 */
	function wp_remove_user_presence( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return true;
		}
		try {
			wp_presence_remove_user_entries( $user_id );
		} catch ( Throwable $e ) {
			return false;
		}
		/**
		 * Fires after wp_remove_user_presence() (presence-api contract).
		 *
		 * @since 1.3.0
		 *
		 * @param int $user_id User id.
		 */
		do_action( 'removed_user_presence', $user_id );
		return true;
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
