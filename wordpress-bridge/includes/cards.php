<?php
/**
 * User cards: the display name, avatar and preference a reply shows for a user.
 *
 * The bridge stores the writer's card in its own entries (the reserved data key `_wp`), so a
 * reply needs no user query; users whose entries carry none (written by other code through
 * wp_set_presence()) are loaded in one query for all of them.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Display data a writer stores in its own entry (key `_wp`), so readers need no user query.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return array u (user id), n (display name), a (avatar URL), p (preference), and s (session
 *               tag, wp_presence_session_tag()) when the user writes it under a session.
 */
function wp_presence_user_card( $user_id ) {
	// A Heartbeat tick's writer is the current user, already loaded: get_userdata() would build
	// another WP_User, with its capabilities, on every tick. Elsewhere (a profile saved in this
	// request, say) the fresh object is read.
	$current = (int) $user_id > 0 && wp_presence_is_heartbeat_request() && (int) $user_id === get_current_user_id();
	$user    = $current ? wp_get_current_user() : get_userdata( (int) $user_id );
	if ( ! $user ) {
		return array(
			'u' => (int) $user_id,
			'n' => '',
			'a' => '',
			'p' => '',
		);
	}
	$card = array(
		'u' => (int) $user->ID,
		'n' => (string) $user->display_name,
		'a' => wp_presence_card_avatar( array( 'a' => (string) get_avatar_url( $user->ID, array( 'size' => 64 ) ) ) ),
		'p' => wp_get_user_presence_preference( $user->ID ),
	);
	$tag = wp_presence_session_tag( $user->ID ); // The session the entry ends with (lifecycle.php).
	if ( '' !== $tag ) {
		$card['s'] = $tag;
	}
	return $card;
}

/**
 * A card as a reply may use it: one the bridge wrote for this very user, with string fields.
 * Anything else (a caller's own `_wp`, stored before the key was reserved on every write path,
 * or data of another shape) is not a card: the user's card then comes from the database.
 *
 * @since 1.2.0
 *
 * @param mixed $card    Candidate card.
 * @param int   $user_id The entry's user.
 * @return array|null
 */
function wp_presence_valid_card( $card, $user_id ) {
	if ( ! is_array( $card ) || ! isset( $card['u'], $card['n'] ) || (int) $card['u'] !== (int) $user_id || ! is_string( $card['n'] ) || '' === $card['n'] ) {
		return null;
	}
	$valid = array(
		'u' => (int) $user_id,
		'n' => $card['n'],
		'a' => isset( $card['a'] ) && is_string( $card['a'] ) ? $card['a'] : '',
		'p' => isset( $card['p'] ) && is_string( $card['p'] ) ? $card['p'] : '',
	);
	// 16 lowercase hex digits: trim() leaves nothing of them (cheaper than a regex, once per card).
	if ( isset( $card['s'] ) && is_string( $card['s'] ) && 16 === strlen( $card['s'] ) && '' === trim( $card['s'], '0..9a..f' ) ) {
		$valid['s'] = $card['s']; // The session tag (lifecycle.php): which session the entry ends with.
	}
	return $valid;
}

/**
 * The avatar URL of a card. Cards written by the bridge are sanitised when written; anything
 * else is sanitised here.
 *
 * @since 1.0.0
 *
 * @param array $card Card.
 * @return string
 */
function wp_presence_card_avatar( array $card ) {
	$url = isset( $card['a'] ) && is_string( $card['a'] ) ? $card['a'] : '';
	// One regex pass (strcspn() compares each character with each of the set: 10 k instructions a
	// URL): what esc_url_raw() would change (control characters, spaces, quotes, brackets, the
	// %0d and %0a it removes, `;//`) sends the URL through it, and any other http(s) URL is
	// already what it returns. The writer's card takes the same path (esc_url_raw() cost about 60 k).
	if ( '' === $url || ( 0 === strpos( $url, 'https://' ) || 0 === strpos( $url, 'http://' ) ) && ! preg_match( '/[\x00-\x20"\'<>\\\\`{}|^\x7f\[\]]|%0[ad]|;\/\//i', $url ) ) {
		return $url;
	}
	return esc_url_raw( $url );
}

/**
 * Loads display names, avatars and preferences of users whose entries carry no card: one query
 * for the users and one for their preferences, whatever their number; users already cached
 * cost nothing.
 *
 * @since 1.0.0
 *
 * @param int[] $user_ids User ids.
 * @return array[] Cards by user id (u, n, a, p; x => 1 for a deleted user).
 */
function wp_presence_prime_cards( array $user_ids ) {
	global $wpdb;
	if ( ! isset( $GLOBALS['wp_presence_cards'] ) ) {
		$GLOBALS['wp_presence_cards'] = array(); // Per-request cache; WP_Presence_Testing::reset() empties it.
	}
	$cards    = &$GLOBALS['wp_presence_cards'];
	$missing  = array();
	$no_prefs = array();
	foreach ( array_unique( array_map( 'intval', $user_ids ) ) as $id ) {
		if ( $id <= 0 || isset( $cards[ $id ] ) ) {
			continue;
		}
		$user = wp_cache_get( $id, 'users' );
		if ( ! $user ) {
			$missing[] = $id;
			continue;
		}
		$meta         = wp_cache_get( $id, 'user_meta' );
		$cards[ $id ] = array(
			'u' => $id,
			'n' => (string) $user->display_name,
			'a' => esc_url_raw( (string) get_avatar_url( $user->user_email, array( 'size' => 64 ) ) ),
			'p' => is_array( $meta ) && isset( $meta[ WP_PRESENCE_PREFERENCE_META ][0] ) ? (string) $meta[ WP_PRESENCE_PREFERENCE_META ][0] : '',
		);
		if ( ! is_array( $meta ) ) {
			$no_prefs[] = $id;
		}
	}
	if ( $missing ) {
		// One query for all of them (only the columns the reply needs).
		$rows = $wpdb->get_results( 'SELECT ID, display_name, user_email FROM ' . $wpdb->users . ' WHERE ID IN (' . implode( ',', $missing ) . ')' ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared -- integers only.
		foreach ( (array) $rows as $row ) {
			$cards[ (int) $row->ID ] = array(
				'u' => (int) $row->ID,
				'n' => (string) $row->display_name,
				'a' => esc_url_raw( (string) get_avatar_url( $row->user_email, array( 'size' => 64 ) ) ),
				'p' => '',
			);
			$no_prefs[]              = (int) $row->ID;
		}
		foreach ( $missing as $id ) {
			if ( ! isset( $cards[ $id ] ) ) {
				$cards[ $id ] = array(
					'u' => $id,
					'n' => '',
					'a' => '',
					'p' => '',
					'x' => 1, // Deleted user.
				);
			}
		}
	}
	if ( $no_prefs ) {
		// One query for their preferences (invisible users must stay hidden).
		$prefs = $wpdb->get_results( $wpdb->prepare( 'SELECT user_id, meta_value FROM ' . $wpdb->usermeta . ' WHERE meta_key = %s AND user_id IN (' . implode( ',', array_map( 'intval', $no_prefs ) ) . ')', WP_PRESENCE_PREFERENCE_META ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared -- integers only.
		foreach ( (array) $prefs as $row ) {
			if ( isset( $cards[ (int) $row->user_id ] ) && in_array( $row->meta_value, array( 'dnd', 'invisible' ), true ) ) {
				$cards[ (int) $row->user_id ]['p'] = (string) $row->meta_value;
			}
		}
	}
	$out = array();
	foreach ( $user_ids as $id ) {
		$out[ (int) $id ] = isset( $cards[ (int) $id ] ) ? $cards[ (int) $id ] : null;
	}
	return $out;
}

/**
 * The display card of a user's entries: the newest valid card the bridge wrote, if any.
 *
 * @since 1.0.0
 *
 * @param array[] $list    Entries of one user, newest first.
 * @param int     $user_id The user (cards naming anyone else are ignored).
 * @return array|null
 */
function wp_presence_entries_card( array $list, $user_id ) {
	foreach ( $list as $entry ) {
		$card = isset( $entry['data']['_wp'] ) ? wp_presence_valid_card( $entry['data']['_wp'], $user_id ) : null;
		if ( $card ) {
			return $card;
		}
	}
	return null;
}
