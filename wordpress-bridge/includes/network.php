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
 * Whether the current user may see the network view: `manage_network` on a network (filter
 * `wp_presence_network_capability`), `manage_options` on a single site.
 *
 * @since 1.2.0
 *
 * @return bool
 */
function wp_presence_can_see_network() {
	if ( ! is_multisite() ) {
		return current_user_can( 'manage_options' );
	}
	/**
	 * Filters the capability the network view needs (presence-api's filter of the same name).
	 *
	 * @since 1.2.0
	 *
	 * @param string $capability Default 'manage_network'.
	 */
	return current_user_can( (string) apply_filters( 'wp_presence_network_capability', 'manage_network' ) );
}

/**
 * Runs a callback on each site of the view, switched to it (capabilities and posts are that
 * site's), with a view of the same viewer for that site.
 *
 * @since 1.2.0
 *
 * @param int      $limit    At most this many sites.
 * @param bool     $operator Whether the viewer is the command-line operator.
 * @param callable $callback Receives the blog id and the site's WP_Presence_View.
 * @return void
 */
function wp_presence_each_network_site( $limit, $operator, $callback ) {
	$viewer = get_current_user_id();
	foreach ( wp_presence_network_site_ids( $limit ) as $blog_id ) {
		$switched = is_multisite() && get_current_blog_id() !== $blog_id && switch_to_blog( $blog_id );
		try {
			call_user_func( $callback, $blog_id, new WP_Presence_View( $viewer, $operator ) );
		} finally {
			if ( $switched ) {
				restore_current_blog();
			}
		}
	}
}

/**
 * Per-site counts for the whole network, as the viewer sees each site (hidden users are not
 * counted). Empty unless the current user may see the network view, or the command-line
 * operator asks.
 *
 * @since 1.0.0
 *
 * @param int  $limit    At most this many sites.
 * @param bool $operator Whether a request without a user is the command-line operator.
 * @return array[] blog_id, url, rooms, entries, users (distinct users in the site).
 */
function wp_presence_network_summary( $limit = 100, $operator = false ) {
	$operator = $operator && 0 === get_current_user_id();
	if ( ! $operator && ! wp_presence_can_see_network() ) {
		return array();
	}
	$out = array();
	wp_presence_each_network_site(
		$limit,
		$operator,
		static function ( $blog_id, WP_Presence_View $view ) use ( &$out ) {
			$counts = wp_presence_site_counts( $view );
			$out[]  = array(
				'blog_id' => $blog_id,
				'url'     => is_multisite() ? (string) get_home_url( $blog_id ) : home_url(),
				'rooms'   => $counts['rooms'],
				'entries' => $counts['entries'],
				'users'   => $counts['users'],
			);
		}
	);
	return $out;
}

/**
 * Users online anywhere on the network, combined per user, with the sites they are on.
 * Invisible users are hidden, as everywhere else. Empty unless the current user may see the
 * network view.
 *
 * @since 1.0.0
 *
 * @param int $limit At most this many sites.
 * @return array[] user_id, display_name, avatar_url, status, status_label, updated, sites (blog ids).
 */
function wp_presence_network_online_users( $limit = 100 ) {
	if ( ! wp_presence_can_see_network() ) {
		return array();
	}
	$users = array();
	wp_presence_each_network_site(
		$limit,
		false,
		static function ( $blog_id, WP_Presence_View $view ) use ( &$users ) {
			foreach ( $view->rows( wp_presence_admin_room() ) as $row ) {
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
	);
	$rows = array_values( $users );
	usort(
		$rows,
		static function ( $a, $b ) {
			return $b['updated'] <=> $a['updated'];
		}
	);
	return $rows;
}
