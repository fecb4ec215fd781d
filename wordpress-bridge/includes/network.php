<?php
/**
 * Network view (multisite): presence across the sites of a network.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Sites of the current network the view covers.
 *
 * @since 1.0.0
 *
 * @param int $limit At most this many sites.
 * @return int[] Blog ids.
 */
function wp_presence_network_site_ids( $limit = 100 ) {
	if ( ! is_multisite() ) {
		return array( get_current_blog_id() );
	}
	return array_map(
		'intval',
		get_sites(
			array(
				'network_id' => get_current_network_id(),
				'number'     => max( 1, (int) $limit ),
				'fields'     => 'ids',
				'deleted'    => 0,
				'archived'   => 0,
				'spam'       => 0,
			)
		)
	);
}

/**
 * Per-site counts for the whole network: each site's namespace is read in turn.
 *
 * @since 1.0.0
 *
 * @param int $limit At most this many sites.
 * @return array[] blog_id, url, rooms, entries, users (distinct users in the site).
 */
function wp_presence_network_summary( $limit = 100 ) {
	$out = array();
	foreach ( wp_presence_network_site_ids( $limit ) as $blog_id ) {
		$users   = array();
		$rooms   = 0;
		$entries = 0;
		wp_presence_in_blog(
			$blog_id,
			static function () use ( &$users, &$rooms, &$entries ) {
				$store = wp_presence_store();
				foreach ( $store->rooms( '' ) as $room ) {
					++$rooms;
					$entries += (int) $room['entries'];
					foreach ( $store->room( $room['room'] ) as $entry ) {
						$users[ (int) $entry['user_id'] ] = true;
					}
				}
			}
		);
		unset( $users[0] );
		$out[] = array(
			'blog_id' => $blog_id,
			'url'     => is_multisite() ? (string) get_home_url( $blog_id ) : home_url(),
			'rooms'   => $rooms,
			'entries' => $entries,
			'users'   => count( $users ),
		);
	}
	return $out;
}

/**
 * Users online anywhere on the network, combined per user, with the sites they are on.
 * Invisible users are hidden, as everywhere else. Empty unless the current user can
 * `manage_network` (or `manage_options` on a single site).
 *
 * @since 1.0.0
 *
 * @param int $limit At most this many sites.
 * @return array[] user_id, display_name, avatar_url, status, status_label, updated, sites (blog ids).
 */
function wp_presence_network_online_users( $limit = 100 ) {
	if ( ! current_user_can( is_multisite() ? 'manage_network' : 'manage_options' ) ) {
		return array();
	}
	$viewer = get_current_user_id();
	$users  = array();
	foreach ( wp_presence_network_site_ids( $limit ) as $blog_id ) {
		// A real switch (not only the namespace): rows check posts and capabilities of that site.
		$switched = is_multisite() && get_current_blog_id() !== $blog_id && switch_to_blog( $blog_id );
		try {
			$rows = wp_presence_combine_entries( wp_presence_store()->room( wp_presence_admin_room() ), $viewer );
		} finally {
			if ( $switched ) {
				restore_current_blog();
			}
		}
		foreach ( $rows as $row ) {
			$uid = $row['user_id'];
			if ( ! isset( $users[ $uid ] ) ) {
				$users[ $uid ] = array(
					'user_id'      => $uid,
					'display_name' => $row['display_name'],
					'avatar_url'   => $row['avatar_url'],
					'status'       => $row['status'],
					'status_label' => $row['status_label'],
					'updated'      => $row['updated'],
					'sites'        => array(),
				);
			} elseif ( wp_presence_activity_rank( $row['status'] ) > wp_presence_activity_rank( $users[ $uid ]['status'] ) ) {
				$users[ $uid ]['status']       = $row['status'];
				$users[ $uid ]['status_label'] = $row['status_label'];
			}
			$users[ $uid ]['updated'] = max( $users[ $uid ]['updated'], $row['updated'] );
			$users[ $uid ]['sites'][] = $blog_id;
		}
	}
	$rows = array_values( $users );
	usort(
		$rows,
		static function ( $a, $b ) {
			return $b['updated'] <=> $a['updated'];
		}
	);
	return $rows;
}
