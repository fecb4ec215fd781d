<?php
/**
 * What a writer may store: the reserved data keys, the per-user and per-site limits, and the
 * checks on the keys the bridge interprets in `admin/online` and post rooms.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Data keys only the bridge writes: `_wp` holds the writer's card (display name, avatar,
 * preference), which replies show for the entry's user.
 *
 * @since 1.2.0
 *
 * @return string[]
 */
function wp_presence_reserved_keys() {
	return array( '_wp' );
}

/**
 * Data without the reserved keys a caller may have put in it.
 *
 * @since 1.2.0
 *
 * @param array $data Data.
 * @return array
 */
function wp_presence_without_reserved_keys( array $data ) {
	foreach ( wp_presence_reserved_keys() as $key ) {
		unset( $data[ $key ] );
	}
	return $data;
}

/**
 * Live entries one user may hold on a site (both namespaces); a new entry beyond is refused.
 *
 * @since 1.2.0
 *
 * @param int $user_id User id.
 * @return int 0 for no limit.
 */
function wp_presence_max_entries_per_user( $user_id ) {
	/**
	 * Filters how many live entries one user may hold on a site (presence-api's limit is 50).
	 *
	 * @since 1.2.0
	 *
	 * @param int $max     Entries; 0 for no limit. Default 50.
	 * @param int $user_id User id.
	 */
	return max( 0, (int) apply_filters( 'wp_presence_max_entries_per_user', 50, (int) $user_id ) );
}

/**
 * Live entries one site may hold (both namespaces); a new entry beyond is refused.
 *
 * The extension gives every namespace its own share of the segment (ini
 * `presence.namespace_share`), so there is no bridge limit on it by default. A SQL table or a
 * Redis server shared by the sites of a network or by several installs has none of its own:
 * the bridge keeps each site to 10000 entries there.
 *
 * @since 1.2.0
 *
 * @return int 0 for no limit.
 */
function wp_presence_max_entries_per_site() {
	$default = 'extension' === wp_presence_backend() ? 0 : 10000;

	/**
	 * Filters how many live entries one site may hold.
	 *
	 * @since 1.2.0
	 *
	 * @param int    $max     Entries; 0 for no limit. Default 10000, 0 on the extension.
	 * @param string $backend The active backend.
	 */
	return max( 0, (int) apply_filters( 'wp_presence_max_entries_per_site', $default, wp_presence_backend() ) );
}

/**
 * Whether a new entry of a user stays within the limits.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store      The store, in the namespace the entry goes to (which
 *                                      holds all of the user's entries by then).
 * @param int               $user_id    User id.
 * @param string[]          $namespaces Both namespaces of the site.
 * @return WP_Error|null The refusal, or null.
 */
function wp_presence_check_limits( WP_Presence_Store $store, $user_id, array $namespaces ) {
	$per_user = $user_id > 0 ? wp_presence_max_entries_per_user( $user_id ) : 0;
	if ( $per_user > 0 && count( $store->user_entries( $user_id ) ) >= $per_user ) {
		/* translators: %d: number of entries. */
		return new WP_Error( 'presence_limit_exceeded', sprintf( __( 'Too many presence entries for this user (at most %d live ones).', 'presence' ), $per_user ) );
	}
	$per_site = wp_presence_max_entries_per_site();
	if ( $per_site > 0 && wp_presence_site_entry_count( $namespaces ) >= $per_site ) {
		/* translators: %d: number of entries. */
		return new WP_Error( 'presence_site_limit_exceeded', sprintf( __( 'This site holds the most presence entries it may (%d live ones).', 'presence' ), $per_site ) );
	}
	return null;
}

/**
 * Checks the keys the bridge interprets, in data a client sends to `admin/online` or a post room:
 * `screen` (a screen id: sanitize_key()'s alphabet, at most 64 characters), `activity`
 * (`online`, `idle` or `away`), `post_id` (an int: a post the writer can edit, and in a post room
 * that room's post) and `title` (a string of at most 255 characters, never shown to others).
 * Other keys are the caller's own; the bridge shows them to nobody else in these rooms.
 *
 * @since 1.2.0
 *
 * @param string $room    Room.
 * @param array  $data    Data.
 * @param int    $user_id Writer.
 * @return true|WP_Error A `rest_invalid_param` error (status 400) naming the field.
 */
function wp_presence_check_interpreted_data( $room, array $data, $user_id ) {
	$kind = wp_presence_room_kind( $room );
	if ( 'admin' !== $kind && 'post' !== $kind ) {
		return true;
	}
	$bad = array();
	if ( array_key_exists( 'screen', $data ) && ! wp_presence_is_screen_id( $data['screen'] ) ) {
		$bad['screen'] = __( 'A screen id: lowercase letters, digits, dashes and underscores, at most 64 characters.', 'presence' );
	}
	if ( array_key_exists( 'activity', $data ) && ! wp_presence_activity_rank( $data['activity'] ) ) {
		$bad['activity'] = __( 'One of online, idle, away.', 'presence' );
	}
	if ( array_key_exists( 'post_id', $data ) ) {
		$post_id = is_int( $data['post_id'] ) ? $data['post_id'] : 0;
		$parsed  = wp_presence_parse_post_room( $room );
		if ( $post_id <= 0 ) {
			$bad['post_id'] = __( 'A post id, as an integer.', 'presence' );
		} elseif ( $parsed && $parsed[1] !== $post_id ) {
			$bad['post_id'] = __( 'In a post room, only the id of that room\'s post.', 'presence' );
		} elseif ( ! get_post( $post_id ) || ! user_can( (int) $user_id, 'edit_post', $post_id ) ) {
			$bad['post_id'] = __( 'A post you can edit.', 'presence' );
		}
	}
	if ( array_key_exists( 'title', $data ) && ( ! is_string( $data['title'] ) || mb_strlen( $data['title'], 'UTF-8' ) > 255 ) ) {
		$bad['title'] = __( 'A string of at most 255 characters.', 'presence' );
	}
	if ( ! $bad ) {
		return true;
	}
	$params = array();
	foreach ( $bad as $key => $message ) {
		$params[ 'data[' . $key . ']' ] = $message;
	}
	return new WP_Error(
		'rest_invalid_param',
		/* translators: %s: list of invalid parameters. */
		sprintf( __( 'Invalid parameter(s): %s', 'presence' ), implode( ', ', array_keys( $params ) ) ),
		array(
			'status' => 400,
			'params' => $params,
		)
	);
}
