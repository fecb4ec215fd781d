<?php
/**
 * Network counts (multisite): who is online on each site of the network, counted in one store
 * call for every site (presence_room_counts() on the extension, one query on SQL), and the
 * overview the network widget, REST routes and WP-CLI render.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Whether the network view counts every site of the network (presence-api 0.2): on, except on
 * large networks (wp_is_large_network()), where only the sites shown are counted.
 *
 * @since 1.3.0
 *
 * @return bool
 */
function wp_presence_network_aggregation_enabled() {
	$enabled = is_multisite() && ! wp_is_large_network( 'sites' ) && ! wp_is_large_network( 'users' );

	/**
	 * Filters whether the network view counts every site (presence-api's filter of the same name).
	 *
	 * @since 1.3.0
	 *
	 * @param bool $enabled Default: true unless wp_is_large_network().
	 */
	return (bool) apply_filters( 'wp_presence_network_aggregation_enabled', $enabled );
}

/**
 * The query arguments of the network's sites the view covers: this network's, neither
 * deleted, archived nor spam.
 *
 * @since 1.3.0
 *
 * @param array $args More get_sites() arguments.
 * @return array
 */
function wp_presence_network_sites_query( array $args = array() ) {
	return array_merge(
		array(
			'network_id' => get_current_network_id(),
			'deleted'    => 0,
			'archived'   => 0,
			'spam'       => 0,
		),
		$args
	);
}

/**
 * `admin/online` counts of some sites in one store call. No capability check: callers check.
 * Hidden users are stored in each site's hidden namespace, which is not counted; users a
 * `wp_presence_force_invisible` callback hides are left out as well. A `wp_presence_see_entry`
 * rule decides per viewer and entry, so while one is hooked the users of each site with someone
 * online come from that site's own view (WP_Presence_View::rows()) instead: slower, and what
 * every other output shows.
 *
 * @since 1.3.0
 *
 * @param int[] $blog_ids Blog ids.
 * @param bool  $operator Whether a request without a user is the command-line operator.
 * @return array[] By blog id: entries (int), users (distinct user ids), updated (newest write).
 */
function wp_presence_network_counts( array $blog_ids, $operator = false ) {
	$namespaces = array();
	foreach ( $blog_ids as $blog_id ) {
		$namespaces[ (int) $blog_id ] = wp_presence_namespace( (int) $blog_id );
	}
	if ( ! $namespaces ) {
		return array();
	}
	try {
		$counts = wp_presence_store()->room_counts( $namespaces, wp_presence_admin_room() );
	} catch ( Throwable $e ) {
		$counts = array(); // Storage unavailable: nobody is online, as everywhere else.
	}
	$forced   = (bool) has_filter( 'wp_presence_force_invisible' );
	$filtered = (bool) has_filter( 'wp_presence_see_entry' );
	$hidden   = array();
	$out    = array();
	foreach ( $namespaces as $blog_id => $ns ) {
		$c     = isset( $counts[ $blog_id ] ) ? $counts[ $blog_id ] : array();
		$users = isset( $c['users'] ) ? array_map( 'intval', (array) $c['users'] ) : array();
		if ( $forced ) {
			foreach ( $users as $i => $uid ) {
				if ( ! isset( $hidden[ $uid ] ) ) {
					$hidden[ $uid ] = wp_presence_user_is_hidden( $uid );
				}
				if ( $hidden[ $uid ] ) {
					unset( $users[ $i ] );
				}
			}
			$users = array_values( $users );
		}
		if ( $filtered && $users ) {
			$users = wp_presence_network_site_view_users( $blog_id, $operator );
		}
		$out[ $blog_id ] = array(
			'entries' => isset( $c['entries'] ) ? (int) $c['entries'] : 0,
			'users'   => $users,
			'updated' => isset( $c['updated'] ) ? (int) $c['updated'] : 0,
		);
	}
	return $out;
}

/**
 * The users a site's own view shows the current user in its admin room.
 *
 * @since 1.3.0
 *
 * @param int  $blog_id  Site.
 * @param bool $operator Whether a request without a user is the command-line operator.
 * @return int[] Sorted user ids.
 */
function wp_presence_network_site_view_users( $blog_id, $operator ) {
	$switched = get_current_blog_id() !== (int) $blog_id && switch_to_blog( (int) $blog_id );
	try {
		$rows = ( new WP_Presence_View( get_current_user_id(), $operator ) )->rows( wp_presence_admin_room() );
	} finally {
		if ( $switched ) {
			restore_current_blog();
		}
	}
	$users = array_map( 'intval', wp_list_pluck( $rows, 'user_id' ) );
	sort( $users );
	return $users;
}

/**
 * The network overview: sites with their online users, as the viewer sees each site (one
 * WP_Presence_View per site shown, switched to it). With aggregation on, every site is counted
 * in one store call and only sites with someone online are listed, busiest first; with it off,
 * the sites are paged in get_sites() order and only the page's sites are counted.
 *
 * Empty unless the current user has the network capability, or the command-line operator asks.
 *
 * @since 1.3.0
 *
 * @param array $args {
 *     @type int   $page           Page, from 1.
 *     @type int   $per_page       Sites per page (1 to 100).
 *     @type int   $users_per_site Users listed per site (0 to 100).
 *     @type int[] $blog_ids       Only these sites (the REST route for one site).
 *     @type bool  $operator       Whether a request without a user is the command-line operator.
 * }
 * @return array sites (each blog_id, domain, path, url, name, user_count, users: user_id,
 *               display_name, avatar_url, status, status_label), total (sites listable),
 *               users_online (distinct users over the sites counted), aggregating (bool).
 */
function wp_presence_network_overview( array $args = array() ) {
	$args     = array_merge(
		array(
			'page'           => 1,
			'per_page'       => 10,
			'users_per_site' => 5,
			'blog_ids'       => null,
			'operator'       => false,
		),
		$args
	);
	$empty    = array(
		'sites'        => array(),
		'total'        => 0,
		'users_online' => 0,
		'aggregating'  => false,
	);
	$operator = $args['operator'] && 0 === get_current_user_id();
	if ( ! is_multisite() || ( ! $operator && ! wp_presence_can_see_network() ) ) {
		return $empty;
	}
	$page        = max( 1, (int) $args['page'] );
	$per_page    = min( 100, max( 1, (int) $args['per_page'] ) );
	$per_site    = min( 100, max( 0, (int) $args['users_per_site'] ) );
	$aggregating = wp_presence_network_aggregation_enabled();
	$only        = null === $args['blog_ids'] ? null : array_map( 'intval', (array) $args['blog_ids'] );

	if ( $aggregating || null !== $only ) {
		$query = wp_presence_network_sites_query(
			array(
				'fields' => 'ids',
				'number' => 0,
			)
		);
		if ( null !== $only ) {
			$query['site__in'] = $only ? $only : array( 0 );
		}
		$ids    = array_map( 'intval', get_sites( $query ) );
		$counts = wp_presence_network_counts( $ids, $operator );
		$online = array();
		foreach ( $counts as $blog_id => $c ) {
			if ( $c['users'] || null !== $only ) {
				$online[ $blog_id ] = $c;
			}
		}
		uksort(
			$online,
			static function ( $a, $b ) use ( $online ) {
				return array( count( $online[ $b ]['users'] ), $a ) <=> array( count( $online[ $a ]['users'] ), $b );
			}
		);
		$total = count( $online );
		$shown = array_slice( $online, ( $page - 1 ) * $per_page, $per_page, true );
	} else {
		$total  = (int) get_sites( wp_presence_network_sites_query( array( 'count' => true ) ) );
		$ids    = array_map(
			'intval',
			get_sites(
				wp_presence_network_sites_query(
					array(
						'fields' => 'ids',
						'number' => $per_page,
						'offset' => ( $page - 1 ) * $per_page,
					)
				)
			)
		);
		$online = wp_presence_network_counts( $ids, $operator );
		$shown  = $online;
	}
	$everyone = array();
	foreach ( $online as $c ) {
		foreach ( $c['users'] as $uid ) {
			$everyone[ $uid ] = true;
		}
	}
	if ( $shown ) {
		_prime_site_caches( array_keys( $shown ) );
	}
	$sites  = array();
	$viewer = get_current_user_id();
	foreach ( array_keys( $shown ) as $blog_id ) {
		$site = get_site( $blog_id );
		if ( ! $site ) {
			continue;
		}
		$switched = get_current_blog_id() !== $blog_id && switch_to_blog( $blog_id );
		try {
			// The site's own view: its room rules, hidden users and the see() filter decide.
			$rows = $shown[ $blog_id ]['users'] ? ( new WP_Presence_View( $viewer, $operator ) )->rows( wp_presence_admin_room() ) : array();
			$url  = home_url( '/' );
			$name = (string) get_option( 'blogname' );
		} finally {
			if ( $switched ) {
				restore_current_blog();
			}
		}
		$users = array();
		foreach ( array_slice( $rows, 0, $per_site ) as $row ) {
			$users[] = array(
				'user_id'      => (int) $row['user_id'],
				'display_name' => $row['display_name'],
				'avatar_url'   => $row['avatar_url'],
				'status'       => $row['status'],
				'status_label' => $row['status_label'],
			);
		}
		$sites[] = array(
			'blog_id'    => (int) $blog_id,
			'domain'     => $site->domain,
			'path'       => $site->path,
			'url'        => $url,
			'name'       => $name,
			'user_count' => count( $rows ),
			'users'      => $users,
		);
	}
	return array(
		'sites'        => $sites,
		'total'        => $total,
		'users_online' => count( $everyone ),
		'aggregating'  => $aggregating,
	);
}
