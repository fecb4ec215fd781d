<?php
/**
 * The leave beacon: a tab that goes away (navigation, reload, close) keeps its entries for a short
 * grace instead of removing them, so moving between admin pages is invisible to others and a
 * closed tab still leaves within seconds (docs/CONTRACT.md §3).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Nonce action of the leave beacon.
 */
const WP_PRESENCE_LEAVE_NONCE = 'wp-presence-leave';

/**
 * Seconds a leaving tab's entries still live.
 *
 * @since 1.2.0
 *
 * @return int Between 1 and the Heartbeat TTL.
 */
function wp_presence_leave_grace() {
	/**
	 * Filters how long the entries of a tab that went away (a navigation, a reload, a closed tab)
	 * still live. The next page of the same tab restores them with its first tick; a closed tab
	 * leaves when they expire.
	 *
	 * @since 1.2.0
	 *
	 * @param int $seconds Default 10.
	 */
	$grace = (int) apply_filters( 'wp_presence_leave_grace', 10 );
	return max( 1, min( $grace, wp_presence_heartbeat_ttl() ) );
}

/**
 * Shortens the lifetime of one tab's entries to the grace, without touching their data (so no
 * room version moves). Only the user's own entries are touched, and never lengthened.
 *
 * @since 1.2.0
 *
 * @param int    $user_id User id.
 * @param string $tab     Tab id (`[a-z0-9]{8,16}`).
 * @return int Entries shortened.
 */
function wp_presence_shorten_tab( $user_id, $tab ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 || ! preg_match( WP_PRESENCE_TAB_PATTERN, (string) $tab ) ) {
		return 0;
	}
	$shortened = 0;
	// Both namespaces of the site: an invisible user's entries live in the hidden one.
	foreach ( wp_presence_site_namespaces() as $ns ) {
		$shortened += (int) wp_presence_in_namespace(
			$ns,
			static function ( WP_Presence_Store $store ) use ( $user_id, $tab ) {
				return wp_presence_shorten_tab_in( $store, $user_id, $tab );
			}
		);
	}
	return $shortened;
}

/**
 * wp_presence_shorten_tab() in the store's current namespace.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_Store $store   Store.
 * @param int               $user_id User id.
 * @param string            $tab     Tab id.
 * @return int Entries shortened.
 */
function wp_presence_shorten_tab_in( WP_Presence_Store $store, $user_id, $tab ) {
	$admin_room = wp_presence_admin_room();
	$grace      = wp_presence_leave_grace();
	$now        = $store->now();
	$entry      = $store->get( $admin_room, 'tab-' . $user_id . '-' . $tab );
	$entries    = array( array( $admin_room, $entry ) );
	// The editor entry lives in the room of the post the tab's own entry names (not one the client names).
	$post_id   = $entry && isset( $entry['data']['post_id'] ) ? wp_presence_parse_id( $entry['data']['post_id'] ) : 0;
	$post_room = $post_id ? wp_presence_post_room( $post_id ) : false;
	if ( $post_room ) {
		$entries[] = array( $post_room, $store->get( $post_room, 'editor-' . $user_id . '-' . $tab ) );
	}
	$shortened = 0;
	foreach ( $entries as list( $room, $old ) ) {
		if ( ! $old || (int) $old['user_id'] !== $user_id || (int) $old['expires'] - $now <= $grace ) {
			continue;
		}
		$store->upsert( $room, $old['client_id'], $user_id, $old['data'], $grace );
		++$shortened;
	}
	return $shortened;
}

/**
 * `admin-ajax.php?action=wp_presence_leave` (POST `tab`, `_ajax_nonce`), sent with
 * `navigator.sendBeacon()` on `pagehide`.
 *
 * Answers 403 for a bad nonce, 400 for a malformed tab id, 503 when the store does not answer.
 *
 * @since 1.2.0
 *
 * @return void
 */
function wp_presence_ajax_leave() {
	if ( ! check_ajax_referer( WP_PRESENCE_LEAVE_NONCE, '_ajax_nonce', false ) ) {
		wp_send_json_error( array( 'code' => 'invalid_nonce' ), 403 );
	}
	$tab = isset( $_POST['tab'] ) && is_string( $_POST['tab'] ) ? wp_unslash( $_POST['tab'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated against the exact shape below.
	if ( ! preg_match( WP_PRESENCE_TAB_PATTERN, $tab ) ) {
		wp_send_json_error( array( 'code' => 'invalid_tab' ), 400 );
	}
	try {
		$shortened = wp_presence_shorten_tab( get_current_user_id(), $tab );
	} catch ( Throwable $e ) {
		wp_send_json_error( array( 'code' => 'presence_unavailable' ), 503 );
	}
	wp_send_json_success(
		array(
			'shortened' => $shortened,
			'grace'     => wp_presence_leave_grace(),
		)
	);
}
