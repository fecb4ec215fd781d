<?php
/**
 * Compact rows for the `wp-presence` Heartbeat reply (docs/CONTRACT.md §3 "Compact rows"): what
 * the client can rebuild is sent once per room instead of once per row.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The longest prefix and suffix every string shares (that do not overlap in the shortest).
 *
 * @since 1.3.0
 *
 * @param string[] $strings Strings (at least two for a non-empty answer).
 * @return string[] array( prefix, suffix ).
 */
function wp_presence_common_affixes( array $strings ) {
	$list = array();
	foreach ( $strings as $s ) {
		$list[] = (string) $s;
	}
	if ( count( $list ) < 2 ) {
		return array( '', '' );
	}
	// Each string is compared in C with what all share so far (strncmp(), substr_compare()), and
	// only a string that shares less is measured: two strings XORed are "\0" where they agree.
	// A PHP loop per character cost about 15 k instructions per row.
	$first = $list[0];
	$plen  = strlen( $first ); // Shared prefix.
	$slen  = $plen; // Shared suffix of the whole strings.
	$tail  = $first;
	$min   = $plen; // Shortest length: the suffix may not overlap the prefix there.
	foreach ( $list as $s ) {
		$len = strlen( $s );
		$min = $len < $min ? $len : $min;
		if ( $plen && 0 !== strncmp( $s, $first, $plen ) ) {
			$plen = strspn( substr( $first, 0, $plen ) ^ $s, "\0" );
		}
		if ( $slen && ( $len < $slen || 0 !== substr_compare( $s, $tail, $len - $slen ) ) ) {
			$slen = strspn( strrev( $tail ) ^ strrev( $s ), "\0" );
			$tail = $slen ? (string) substr( $first, -$slen ) : '';
		}
	}
	$slen = min( $slen, $min - $plen );
	return array( (string) substr( $first, 0, $plen ), $slen > 0 ? (string) substr( $first, -$slen ) : '' );
}

/**
 * Makes a room reply's rows compact. A row keeps user_id, display_name, status, screen and
 * updated; it leaves out `status_label` (the page has the labels: `statusLabels`), `post_id`
 * and `title` when empty, `screen_label` and `url` when they are the room's `screens[screen]`
 * (a row with a post keeps its edit link), and sends `avatar` (the middle) instead of
 * `avatar_url` when the room's `avatars` (the prefix and suffix all rows share) rebuild it.
 * About 370 bytes of a row become about 190 with avatars from one service.
 *
 * @since 1.3.0
 *
 * @param array $reply A room reply with `users` rows (wp_presence_room_reply()).
 * @return array The reply with compact `users`, plus `screens` and `avatars` when used.
 */
function wp_presence_compact_room_rows( array $reply ) {
	if ( empty( $reply['users'] ) || ! is_array( $reply['users'] ) ) {
		return $reply;
	}
	$urls = array();
	foreach ( $reply['users'] as $row ) {
		if ( '' !== (string) $row['avatar_url'] ) {
			$urls[] = (string) $row['avatar_url'];
		}
	}
	list( $prefix, $suffix ) = wp_presence_common_affixes( $urls );
	$affixed                 = strlen( $prefix ) + strlen( $suffix ) >= 8; // Else not worth a key.
	$screens                 = array();
	foreach ( $reply['users'] as $row ) {
		if ( ! $row['post_id'] && ! isset( $screens[ $row['screen'] ] ) ) {
			$screens[ $row['screen'] ] = array(
				'label' => (string) $row['screen_label'],
				'url'   => (string) $row['url'],
			);
		}
	}
	$rows   = array();
	$labels = array(); // Per distinct status, as the page's `statusLabels` has them.
	foreach ( $reply['users'] as $row ) {
		$out = array(
			'user_id'      => (int) $row['user_id'],
			'display_name' => (string) $row['display_name'],
		);
		$url = (string) $row['avatar_url'];
		if ( $affixed && '' !== $url && strlen( $url ) >= strlen( $prefix ) + strlen( $suffix ) ) {
			$out['avatar'] = (string) substr( $url, strlen( $prefix ), strlen( $url ) - strlen( $prefix ) - strlen( $suffix ) );
		} else {
			$out['avatar_url'] = $url;
		}
		$out['status'] = (string) $row['status'];
		if ( ! isset( $labels[ $out['status'] ] ) ) {
			$labels[ $out['status'] ] = wp_presence_status_label( $row['status'] );
		}
		if ( (string) $row['status_label'] !== $labels[ $out['status'] ] ) {
			$out['status_label'] = (string) $row['status_label'];
		}
		$out['screen'] = (string) $row['screen'];
		$known         = isset( $screens[ $row['screen'] ] ) ? $screens[ $row['screen'] ] : null;
		if ( ! $known || $known['label'] !== (string) $row['screen_label'] ) {
			$out['screen_label'] = (string) $row['screen_label'];
		}
		if ( $row['post_id'] ) {
			$out['post_id'] = (int) $row['post_id'];
			$out['title']   = (string) $row['title'];
			$out['url']     = (string) $row['url'];
		} elseif ( ! $known || $known['url'] !== (string) $row['url'] ) {
			$out['url'] = (string) $row['url'];
		}
		$out['updated'] = (int) $row['updated'];
		$rows[]         = $out;
	}
	$reply['users'] = $rows;
	if ( $screens ) {
		$reply['screens'] = $screens;
	}
	if ( $affixed ) {
		$reply['avatars'] = array(
			'prefix' => $prefix,
			'suffix' => $suffix,
		);
	}
	return $reply;
}
