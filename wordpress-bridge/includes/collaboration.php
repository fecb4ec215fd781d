<?php
/**
 * presence-api's collaboration actions: a post room gains or loses its second editor.
 *
 * `wp_presence_collaboration_started( $room, $entries )` fires when a write makes a post room
 * hold entries of two users, `wp_presence_collaboration_ended( $room, $entries )` when a
 * removal (leave, REST DELETE, logout, a released lock) leaves one. An entry that silently
 * expires fires nothing: no request sees it go. Hidden (invisible) users do not exist for
 * others, so their entries never start or end a collaboration.
 *
 * The room is only read when someone listens to the action, and only on a new entry or a
 * removal: a poll that refreshes its entry costs nothing more.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The distinct users of a post room's visible entries.
 *
 * @since 1.3.0
 *
 * @param array[] $entries Store entries.
 * @return int[] User id => number of entries.
 */
function wp_presence_collaboration_users( array $entries ) {
	$users = array();
	foreach ( $entries as $entry ) {
		$uid = (int) $entry['user_id'];
		if ( $uid > 0 ) {
			$users[ $uid ] = ( isset( $users[ $uid ] ) ? $users[ $uid ] : 0 ) + 1;
		}
	}
	return $users;
}

/**
 * The site namespace's live entries of a room (the visible ones), or null when the store fails.
 *
 * @since 1.3.0
 *
 * @param string $room Room.
 * @return array[]|null
 */
function wp_presence_collaboration_entries( $room ) {
	try {
		$site = wp_presence_site_namespaces()[0];
		return wp_presence_in_namespace(
			$site,
			static function ( WP_Presence_Store $store ) use ( $room ) {
				$entries = array();
				foreach ( $store->room( $room ) as $entry ) {
					if ( $entry['room'] === $room ) {
						$entries[] = $entry;
					}
				}
				return $entries;
			}
		);
	} catch ( Throwable $e ) {
		return null;
	}
}

/**
 * After a new entry: fires `wp_presence_collaboration_started` when its user is the room's
 * second one.
 *
 * Hooked to `wp_presence_entry_added`.
 *
 * @since 1.3.0
 *
 * @param string $room      Room.
 * @param string $client_id Client id.
 * @param int    $user_id   User id.
 * @param bool   $hidden    Whether the entry went to the hidden namespace.
 * @return void
 */
function wp_presence_collaboration_on_added( $room, $client_id, $user_id, $hidden ) {
	if ( $hidden || $user_id <= 0 || 'post' !== wp_presence_room_kind( $room ) || ! has_action( 'wp_presence_collaboration_started' ) ) {
		return;
	}
	$entries = wp_presence_collaboration_entries( $room );
	$users   = null === $entries ? array() : wp_presence_collaboration_users( $entries );
	// Only the user's first entry there counts: a second tab of one person starts nothing.
	if ( 2 !== count( $users ) || ! isset( $users[ $user_id ] ) || 1 !== $users[ $user_id ] ) {
		return;
	}
	/**
	 * Fires when a post room gains its second editor (presence-api contract).
	 *
	 * @since 1.3.0
	 *
	 * @param string   $room    Room.
	 * @param object[] $entries The room's entries (wp_get_presence() shape).
	 */
	do_action( 'wp_presence_collaboration_started', $room, array_map( 'wp_presence_format_entry', $entries ) );
}

/**
 * After a removal: fires `wp_presence_collaboration_ended` when the removed entry was its
 * user's last in the room and one user is left.
 *
 * Hooked to `wp_presence_entry_removed`.
 *
 * @since 1.3.0
 *
 * @param string $room      Room.
 * @param string $client_id Client id.
 * @param int    $user_id   The removed entry's user.
 * @param bool   $hidden    Whether it was in the hidden namespace.
 * @return void
 */
function wp_presence_collaboration_on_removed( $room, $client_id, $user_id, $hidden ) {
	if ( $hidden || $user_id <= 0 || 'post' !== wp_presence_room_kind( $room ) || ! has_action( 'wp_presence_collaboration_ended' ) ) {
		return;
	}
	$entries = wp_presence_collaboration_entries( $room );
	$users   = null === $entries ? array() : wp_presence_collaboration_users( $entries );
	if ( 1 !== count( $users ) || isset( $users[ $user_id ] ) ) {
		return;
	}
	/**
	 * Fires when a post room loses its second editor (presence-api contract).
	 *
	 * @since 1.3.0
	 *
	 * @param string   $room    Room.
	 * @param object[] $entries The room's remaining entries (wp_get_presence() shape).
	 */
	do_action( 'wp_presence_collaboration_ended', $room, array_map( 'wp_presence_format_entry', $entries ) );
}
