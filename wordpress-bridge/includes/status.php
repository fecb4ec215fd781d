<?php
/**
 * User statuses, preferences, and the combined per-user views the admin UI reads.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * User meta key of the presence preference ('', 'dnd' or 'invisible').
 */
const WP_PRESENCE_PREFERENCE_META = 'wp_presence_preference';

/**
 * Rank of an activity: higher is more present.
 *
 * @since 1.0.0
 *
 * @param string $activity 'online', 'idle' or 'away'.
 * @return int
 */
function wp_presence_activity_rank( $activity ) {
	$ranks = array(
		'away'   => 1,
		'idle'   => 2,
		'online' => 3,
	);
	return isset( $ranks[ $activity ] ) ? $ranks[ $activity ] : 0;
}

/**
 * Activity of one entry. Entries written without one (old protocol, post locks, REST,
 * wp_set_presence()) count as online while they live.
 *
 * @since 1.0.0
 *
 * @param array $entry Store entry.
 * @return string 'online', 'idle' or 'away'.
 */
function wp_presence_entry_activity( array $entry ) {
	$activity = isset( $entry['data']['activity'] ) ? (string) $entry['data']['activity'] : 'online';
	return wp_presence_activity_rank( $activity ) ? $activity : 'online';
}

/**
 * Translated label of a status.
 *
 * @since 1.0.0
 *
 * @param string $status online, idle, away, dnd, offline or invisible.
 * @return string
 */
function wp_presence_status_label( $status ) {
	$cache  = &wp_presence_request_cache( 'status_labels' );
	$locale = determine_locale();
	if ( ! isset( $cache[ $locale ] ) ) {
		$cache[ $locale ] = array(
			'online'    => __( 'Online', 'presence' ),
			'idle'      => __( 'Idle', 'presence' ),
			'away'      => __( 'Away', 'presence' ),
			'dnd'       => __( 'Do not disturb', 'presence' ),
			'offline'   => __( 'Offline', 'presence' ),
			'invisible' => __( 'Invisible', 'presence' ),
		);
	}
	$labels = $cache[ $locale ];
	return isset( $labels[ $status ] ) ? $labels[ $status ] : $labels['offline'];
}

/**
 * One bucket of the bridge's per-request caches (labels, URLs).
 *
 * The buckets live in `$GLOBALS['wp_presence_request_cache']`: WP_Presence_Testing::reset_caches()
 * empties them all, and a locale switch (`change_locale`) empties the label buckets.
 *
 * @since 1.1.0
 *
 * @param string $bucket Bucket name.
 * @return array Reference to the bucket.
 */
function &wp_presence_request_cache( $bucket ) {
	if ( ! isset( $GLOBALS['wp_presence_request_cache'] ) || ! is_array( $GLOBALS['wp_presence_request_cache'] ) ) {
		$GLOBALS['wp_presence_request_cache'] = array();
	}
	if ( ! isset( $GLOBALS['wp_presence_request_cache'][ $bucket ] ) ) {
		$GLOBALS['wp_presence_request_cache'][ $bucket ] = array();
	}
	return $GLOBALS['wp_presence_request_cache'][ $bucket ];
}

/**
 * Forgets the translated labels after switch_to_locale() / restore_previous_locale().
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_flush_label_cache() {
	unset( $GLOBALS['wp_presence_request_cache']['status_labels'], $GLOBALS['wp_presence_request_cache']['screen_labels'] );
}

/**
 * A user's stored preference.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return string '', 'dnd' or 'invisible'.
 */
function wp_get_user_presence_preference( $user_id ) {
	$pref = (string) get_user_meta( (int) $user_id, WP_PRESENCE_PREFERENCE_META, true );
	if ( 'invisible' === $pref && ! wp_presence_invisible_allowed() ) {
		return ''; // Invisible mode is switched off on this site (Settings → Presence).
	}
	return in_array( $pref, array( 'dnd', 'invisible' ), true ) ? $pref : '';
}

/**
 * Whether a user is forced invisible by the `wp_presence_force_invisible` filter.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return bool
 */
function wp_presence_is_forced_invisible( $user_id ) {
	/**
	 * Filters whether a user is hidden from everyone else's presence views.
	 *
	 * The user's entries are still stored; others see the user as offline.
	 *
	 * @since 1.0.0
	 *
	 * @param bool $invisible Whether the user is invisible. Default false.
	 * @param int  $user_id   User id.
	 */
	return (bool) apply_filters( 'wp_presence_force_invisible', false, (int) $user_id );
}

/**
 * Sets a user's preference and re-stamps their live entries with it.
 *
 * @since 1.0.0
 *
 * @param int    $user_id User id.
 * @param string $pref    '' (automatic), 'dnd' or 'invisible'.
 * @return bool False for an unknown preference or user, or 'invisible' while invisible mode is off.
 */
function wp_set_user_presence_preference( $user_id, $pref ) {
	$user_id = (int) $user_id;
	$pref    = (string) $pref;
	if ( $user_id <= 0 || ! in_array( $pref, array( '', 'dnd', 'invisible' ), true ) || ( 'invisible' === $pref && ! wp_presence_invisible_allowed() ) || ! get_userdata( $user_id ) ) {
		return false;
	}
	if ( '' === $pref ) {
		delete_user_meta( $user_id, WP_PRESENCE_PREFERENCE_META );
	} else {
		update_user_meta( $user_id, WP_PRESENCE_PREFERENCE_META, $pref );
	}

	// Entries carry the preference (readers need no user meta): rewrite the live ones.
	try {
		$store = wp_presence_store();
		$now   = $store->now();
		foreach ( $store->user_entries( $user_id ) as $entry ) {
			$data = $entry['data'];
			if ( ! isset( $data['_wp'] ) || ! is_array( $data['_wp'] ) ) {
				$data['_wp'] = wp_presence_user_card( $user_id );
			}
			$data['_wp']['p'] = $pref;
			$store->upsert( $entry['room'], $entry['client_id'], $user_id, $data, max( 1, (int) $entry['expires'] - $now ) );
		}
	} catch ( Throwable $e ) {
		return true; // The preference is saved; entries catch up on the next tick.
	}

	/**
	 * Fires after a user's presence preference changed.
	 *
	 * @since 1.0.0
	 *
	 * @param int    $user_id User id.
	 * @param string $pref    '', 'dnd' or 'invisible'.
	 */
	do_action( 'wp_presence_preference_changed', $user_id, $pref );
	return true;
}

/**
 * Display data a writer stores in its own entry (key `_wp`), so readers need no user query.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return array n (display name), a (avatar URL), p (preference).
 */
function wp_presence_user_card( $user_id ) {
	$user = get_userdata( (int) $user_id );
	if ( ! $user ) {
		return array(
			'n' => '',
			'a' => '',
			'p' => '',
		);
	}
	return array(
		'n' => (string) $user->display_name,
		'a' => esc_url_raw( (string) get_avatar_url( $user->ID, array( 'size' => 64 ) ) ),
		'p' => wp_get_user_presence_preference( $user->ID ),
	);
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
	$url = isset( $card['a'] ) ? (string) $card['a'] : '';
	if ( '' === $url || ( 0 === strpos( $url, 'https://' ) || 0 === strpos( $url, 'http://' ) ) && strlen( $url ) === strcspn( $url, " \"'<>\\`{}|^" ) ) {
		return $url; // Plain http(s) URL without characters that would need escaping.
	}
	return esc_url_raw( $url );
}

/**
 * Loads display names, avatars and preferences of users whose entries carry no `_wp` card
 * (entries written by others than the bridge): one query for the users and one for their
 * preferences, whatever their number; users already cached cost nothing.
 *
 * @since 1.0.0
 *
 * @param int[] $user_ids User ids.
 * @return array[] Cards by user id (n, a, p; x => 1 for a deleted user).
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
				'n' => (string) $row->display_name,
				'a' => esc_url_raw( (string) get_avatar_url( $row->user_email, array( 'size' => 64 ) ) ),
				'p' => '',
			);
			$no_prefs[]              = (int) $row->ID;
		}
		foreach ( $missing as $id ) {
			if ( ! isset( $cards[ $id ] ) ) {
				$cards[ $id ] = array(
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
 * The display card of a user's entries: the newest card the bridge wrote, if any.
 *
 * @since 1.0.0
 *
 * @param array[] $list Entries of one user, newest first.
 * @return array|null
 */
function wp_presence_entries_card( array $list ) {
	foreach ( $list as $entry ) {
		if ( ! empty( $entry['data']['_wp']['n'] ) && is_array( $entry['data']['_wp'] ) ) {
			return $entry['data']['_wp'];
		}
	}
	return null;
}

/**
 * Translated label of an admin screen id.
 *
 * @since 1.0.0
 *
 * @param string $screen Screen id (e.g. 'dashboard', 'edit-post', 'post', 'front').
 * @return string
 */
function wp_presence_screen_label( $screen ) {
	$cache  = &wp_presence_request_cache( 'screen_labels' );
	$screen = (string) $screen;
	$key    = determine_locale() . '|' . $screen;
	if ( isset( $cache[ $key ] ) ) {
		return $cache[ $key ];
	}
	$labels = array(
		'dashboard'       => __( 'Dashboard', 'presence' ),
		'post'            => __( 'Editing a post', 'presence' ),
		'page'            => __( 'Editing a page', 'presence' ),
		'edit-post'       => __( 'Posts', 'presence' ),
		'edit-page'       => __( 'Pages', 'presence' ),
		'upload'          => __( 'Media', 'presence' ),
		'edit-comments'   => __( 'Comments', 'presence' ),
		'users'           => __( 'Users', 'presence' ),
		'profile'         => __( 'Profile', 'presence' ),
		'user-edit'       => __( 'Editing a user', 'presence' ),
		'plugins'         => __( 'Plugins', 'presence' ),
		'themes'          => __( 'Themes', 'presence' ),
		'options-general' => __( 'Settings', 'presence' ),
		'site-health'     => __( 'Site Health', 'presence' ),
		'front'           => __( 'Viewing the site', 'presence' ),
		'login'           => __( 'Just logged in', 'presence' ),
		'cli'             => __( 'Command line', 'presence' ),
	);
	if ( isset( $labels[ $screen ] ) ) {
		$label = $labels[ $screen ];
	} elseif ( '' === $screen ) {
		$label = __( 'Somewhere in the admin', 'presence' );
	} else {
		$label = ucfirst( str_replace( array( '-', '_' ), ' ', $screen ) );
	}

	/**
	 * Filters the label shown for a screen id.
	 *
	 * @since 1.0.0
	 *
	 * @param string $label  Label (plain text).
	 * @param string $screen Screen id.
	 */
	$cache[ $key ] = (string) apply_filters( 'wp_presence_screen_label', $label, $screen );
	return $cache[ $key ];
}

/**
 * Admin URL of a screen id, or '' when unknown.
 *
 * @since 1.0.0
 *
 * @param string $screen Screen id.
 * @return string
 */
function wp_presence_screen_url( $screen ) {
	static $paths = array(
		'dashboard'       => '',
		'edit-post'       => 'edit.php',
		'edit-page'       => 'edit.php?post_type=page',
		'upload'          => 'upload.php',
		'edit-comments'   => 'edit-comments.php',
		'users'           => 'users.php',
		'plugins'         => 'plugins.php',
		'themes'          => 'themes.php',
		'options-general' => 'options-general.php',
		'site-health'     => 'site-health.php',
	);
	$screen = (string) $screen;
	if ( ! isset( $paths[ $screen ] ) ) {
		return '';
	}
	$cache = &wp_presence_request_cache( 'screen_urls' );
	$key   = get_current_blog_id() . '|' . $screen;
	if ( ! isset( $cache[ $key ] ) ) {
		$cache[ $key ] = wp_presence_admin_url( $paths[ $screen ] );
	}
	return $cache[ $key ];
}

/**
 * admin_url() of a path, from a base computed once per site and request when no `admin_url`
 * filter could change the result.
 *
 * @since 1.1.0
 *
 * @param string $path Path relative to the admin URL.
 * @return string
 */
function wp_presence_admin_url( $path ) {
	if ( has_filter( 'admin_url' ) ) {
		return admin_url( $path );
	}
	$bases = &wp_presence_request_cache( 'admin_url' );
	$blog  = get_current_blog_id();
	if ( ! isset( $bases[ $blog ] ) ) {
		$bases[ $blog ] = admin_url(); // Ends in 'wp-admin/'; admin_url( $path ) appends the path to it.
	}
	return $bases[ $blog ] . ltrim( (string) $path, '/' );
}

/**
 * The edit link of a post (`get_edit_post_link( $id, 'raw' )`) for a viewer who has already been
 * found able to edit it (wp_presence_viewer_can_edit_posts()).
 *
 * For the current user the link is built from the post type's `_edit_link` and a cached admin
 * URL, without running the capability check, get_post() and the filter again. Core's function is
 * called whenever its result could differ: another viewer (core checks the current user), a
 * `get_edit_post_link` or `admin_url` filter, a post type with special links, a missing post.
 *
 * @since 1.1.0
 *
 * @param int $post_id Post id the viewer can edit.
 * @param int $viewer  Viewer's user id.
 * @return string
 */
function wp_presence_viewer_edit_link( $post_id, $viewer ) {
	$post_id = (int) $post_id;
	$post    = get_post( $post_id );
	$type    = $post ? get_post_type_object( $post->post_type ) : null;
	if ( ! $post || ! $type || ! $type->_edit_link || get_current_user_id() !== (int) $viewer
		|| has_filter( 'get_edit_post_link' ) || has_filter( 'admin_url' )
		|| in_array( $post->post_type, array( 'revision', 'wp_template', 'wp_template_part', 'wp_navigation' ), true ) ) {
		return (string) get_edit_post_link( $post_id, 'raw' );
	}
	return wp_presence_admin_url( sprintf( $type->_edit_link . '&action=edit', $post->ID ) );
}

/**
 * Whether the viewer may see a post's id and title; primes the posts' cache first.
 *
 * @since 1.0.0
 *
 * @param int[] $post_ids Post ids.
 * @param int   $viewer   Viewer's user id.
 * @return bool[] By post id.
 */
function wp_presence_viewer_can_edit_posts( array $post_ids, $viewer ) {
	$post_ids = array_values( array_unique( array_filter( array_map( 'intval', $post_ids ) ) ) );
	if ( ! $post_ids ) {
		return array();
	}
	_prime_post_caches( $post_ids, false, false ); // One query for the posts not cached yet.
	$can = array();
	foreach ( $post_ids as $id ) {
		$can[ $id ] = $viewer > 0 && get_post( $id ) && ( get_current_user_id() === $viewer ? current_user_can( 'edit_post', $id ) : user_can( $viewer, 'edit_post', $id ) );
	}
	return $can;
}

/**
 * Combines entries into one row per user (tabs, editor and lock entries merged), most recent
 * first, hiding invisible users from everyone but themselves.
 *
 * @since 1.0.0
 *
 * @param array[] $entries Store entries, newest first.
 * @param int     $viewer  Viewer's user id.
 * @return array[] Rows: user_id, display_name, avatar_url, status, status_label, screen,
 *                 screen_label, post_id, title, url, updated. Strings are plain text.
 */
function wp_presence_combine_entries( array $entries, $viewer ) {
	$viewer  = (int) $viewer;
	$by_user = array();
	foreach ( $entries as $entry ) {
		$uid = (int) $entry['user_id'];
		if ( $uid > 0 ) {
			$by_user[ $uid ][] = $entry;
		}
	}
	if ( ! $by_user ) {
		return array();
	}

	// Users none of whose entries carries a card are loaded in one query.
	$cards = array();
	$need  = array();
	foreach ( $by_user as $uid => $list ) {
		$cards[ $uid ] = wp_presence_entries_card( $list );
		if ( null === $cards[ $uid ] ) {
			$need[] = $uid;
		}
	}
	if ( $need ) {
		foreach ( wp_presence_prime_cards( $need ) as $uid => $card ) {
			$cards[ $uid ] = $card;
		}
	}

	$rows     = array();
	$post_ids = array();
	$labels   = array(); // Per distinct status: the label functions run a few times, not per row.
	$screens  = array(); // Per distinct screen: label and URL.
	foreach ( $by_user as $uid => $list ) {
		$card = $cards[ $uid ];
		if ( ! $card || ! empty( $card['x'] ) ) {
			continue; // Deleted user.
		}
		$pref    = isset( $card['p'] ) && ( 'invisible' !== $card['p'] || wp_presence_invisible_allowed() ) ? (string) $card['p'] : '';
		$best    = '';
		$primary = $list[0]; // The most present tab (newest among equals) says where the user is.
		foreach ( $list as $entry ) {
			$activity = wp_presence_entry_activity( $entry );
			if ( wp_presence_activity_rank( $activity ) > wp_presence_activity_rank( $best ) ) {
				$best    = $activity;
				$primary = $entry;
			}
		}
		$invisible = 'invisible' === $pref || wp_presence_is_forced_invisible( $uid );
		if ( $invisible && $uid !== $viewer ) {
			continue;
		}
		if ( $invisible ) {
			$status = 'invisible';
		} elseif ( 'dnd' === $pref ) {
			$status = 'dnd';
		} else {
			$status = $best;
		}
		$screen  = isset( $primary['data']['screen'] ) ? (string) $primary['data']['screen'] : '';
		$post_id = isset( $primary['data']['post_id'] ) ? (int) $primary['data']['post_id'] : 0;
		if ( $post_id ) {
			$post_ids[] = $post_id;
		}
		if ( ! isset( $labels[ $status ] ) ) {
			$labels[ $status ] = wp_presence_status_label( $status );
		}
		if ( ! isset( $screens[ $screen ] ) ) {
			$screens[ $screen ] = array( wp_presence_screen_label( $screen ), wp_presence_screen_url( $screen ) );
		}
		$rows[] = array(
			'user_id'      => $uid,
			'display_name' => (string) $card['n'],
			'avatar_url'   => wp_presence_card_avatar( $card ),
			'status'       => $status,
			'status_label' => $labels[ $status ],
			'screen'       => $screen,
			'screen_label' => $screens[ $screen ][0],
			'post_id'      => $post_id,
			'title'        => '',
			'url'          => $screens[ $screen ][1],
			'updated'      => (int) $list[0]['updated'],
		);
	}

	// Post ids and titles only for viewers who can edit the post.
	$can   = wp_presence_viewer_can_edit_posts( $post_ids, $viewer );
	$links = array(); // Per distinct post.
	foreach ( $rows as $i => $row ) {
		if ( $row['post_id'] ) {
			if ( ! empty( $can[ $row['post_id'] ] ) ) {
				if ( ! isset( $links[ $row['post_id'] ] ) ) {
					$links[ $row['post_id'] ] = array( wp_presence_post_title( $row['post_id'] ), wp_presence_viewer_edit_link( $row['post_id'], $viewer ) );
				}
				$rows[ $i ]['title'] = $links[ $row['post_id'] ][0];
				$rows[ $i ]['url']   = $links[ $row['post_id'] ][1];
			} else {
				$rows[ $i ]['post_id'] = 0;
			}
		}
	}

	usort(
		$rows,
		static function ( $a, $b ) {
			return $b['updated'] <=> $a['updated'];
		}
	);
	return $rows;
}

/**
 * A post's title as plain text (no filters that could add markup).
 *
 * @since 1.0.0
 *
 * @param int $post_id Post id.
 * @return string
 */
function wp_presence_post_title( $post_id ) {
	$post = get_post( $post_id );
	if ( ! $post ) {
		return '';
	}
	$title = wp_strip_all_tags( (string) $post->post_title );
	return '' === $title ? __( '(no title)', 'presence' ) : $title;
}

/**
 * One row per user online in a room, for the current user.
 *
 * @since 1.0.0
 *
 * @param array $args {
 *     Optional.
 *     @type string $room   Room; the admin room by default.
 *     @type int    $viewer Viewer; the current user by default.
 *     @type int    $limit  At most this many rows; 0 for all.
 * }
 * @return array[] See wp_presence_combine_entries(). Empty when the viewer may not access the room.
 */
function wp_presence_online_users( array $args = array() ) {
	$args = wp_parse_args(
		$args,
		array(
			'room'   => wp_presence_admin_room(),
			'viewer' => get_current_user_id(),
			'limit'  => 0,
		)
	);
	if ( ! wp_can_access_presence_room( $args['room'], (int) $args['viewer'] ) ) {
		return array();
	}
	try {
		$entries = wp_presence_store()->room( (string) $args['room'] );
	} catch ( Throwable $e ) {
		return array();
	}
	$rows = wp_presence_combine_entries( $entries, (int) $args['viewer'] );
	return $args['limit'] > 0 ? array_slice( $rows, 0, (int) $args['limit'] ) : $rows;
}

/**
 * Editor rows (user_id, display_name, avatar_url, status) from a post room's entries.
 *
 * @since 1.0.0
 *
 * @param array[] $entries Entries of the room.
 * @param int     $viewer  Viewer.
 * @return array[]
 */
function wp_presence_editor_rows( array $entries, $viewer ) {
	$out = array();
	foreach ( wp_presence_combine_entries( $entries, $viewer ) as $row ) {
		$out[] = array(
			'user_id'      => $row['user_id'],
			'display_name' => $row['display_name'],
			'avatar_url'   => $row['avatar_url'],
			'status'       => $row['status'],
			'status_label' => $row['status_label'],
		);
	}
	return $out;
}

/**
 * Users in a post's room, combined per user.
 *
 * @since 1.0.0
 *
 * @param int $post_id Post id.
 * @return array[] user_id, display_name, avatar_url, status, status_label. Empty unless the current user can edit the post.
 */
function wp_presence_post_editors( $post_id ) {
	$room = wp_presence_post_room( (int) $post_id );
	if ( ! $room || ! current_user_can( 'edit_post', (int) $post_id ) ) {
		return array();
	}
	try {
		return wp_presence_editor_rows( wp_presence_store()->room( $room ), get_current_user_id() );
	} catch ( Throwable $e ) {
		return array();
	}
}

/**
 * Posts being edited, with their editors counted once per user.
 *
 * @since 1.0.0
 *
 * @param int|null   $viewer Viewer; the current user by default.
 * @param array[]|null $rooms  The post rooms (`rooms( 'postType/' )`) when the caller has them already.
 * @return array[] post_id, post_type, title, edit_url, updated, editors. Only posts the viewer can edit.
 */
function wp_presence_active_posts( $viewer = null, $rooms = null ) {
	$viewer = null === $viewer ? get_current_user_id() : (int) $viewer;
	if ( $viewer <= 0 ) {
		return array();
	}
	try {
		$store = wp_presence_store();
		if ( ! is_array( $rooms ) ) {
			$rooms = $store->rooms( 'postType/' );
		}
	} catch ( Throwable $e ) {
		return array();
	}
	$wanted = array();
	foreach ( $rooms as $room ) {
		$parsed = wp_presence_parse_post_room( $room['room'] );
		if ( $parsed ) {
			$wanted[ $room['room'] ] = $parsed[1];
		}
	}
	$can  = wp_presence_viewer_can_edit_posts( array_values( $wanted ), $viewer );
	$read = array();
	foreach ( $wanted as $name => $post_id ) {
		if ( ! empty( $can[ $post_id ] ) ) {
			$read[] = (string) $name;
		}
	}
	$entries = $read ? $store->rooms_entries( $read ) : array(); // One query on the SQL store.
	$posts = array();
	foreach ( $rooms as $room ) {
		if ( ! isset( $wanted[ $room['room'] ] ) || empty( $can[ $wanted[ $room['room'] ] ] ) ) {
			continue;
		}
		$post_id = $wanted[ $room['room'] ];
		$editors = wp_presence_editor_rows( isset( $entries[ $room['room'] ] ) ? $entries[ $room['room'] ] : array(), $viewer );
		if ( ! $editors ) {
			continue;
		}
		$posts[] = array(
			'post_id'   => $post_id,
			'post_type' => (string) get_post_type( $post_id ),
			'title'     => wp_presence_post_title( $post_id ),
			'edit_url'  => wp_presence_viewer_edit_link( $post_id, $viewer ),
			'updated'   => (int) $room['updated'],
			'editors'   => $editors,
		);
	}
	usort(
		$posts,
		static function ( $a, $b ) {
			return $b['updated'] <=> $a['updated'];
		}
	);
	return $posts;
}

/**
 * Version of the active-posts view: changes whenever a post room changes.
 *
 * @since 1.0.0
 *
 * @param array[]|null $rooms The post rooms (`rooms( 'postType/' )`) when the caller has them already.
 * @return string
 */
function wp_presence_active_posts_version( $rooms = null ) {
	try {
		if ( ! is_array( $rooms ) ) {
			$rooms = wp_presence_store()->rooms( 'postType/' );
		}
	} catch ( Throwable $e ) {
		return '';
	}
	$parts = array();
	foreach ( $rooms as $room ) {
		$parts[] = $room['room'] . '=' . $room['version'];
	}
	sort( $parts );
	return substr( md5( implode( "\n", $parts ) ), 0, 12 );
}

/**
 * A user's status as seen by the current user.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return string online, idle, away, dnd or offline; `invisible` only for the user themself.
 */
function wp_get_user_presence_status( $user_id ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 ) {
		return 'offline';
	}
	try {
		$entries = wp_presence_store()->user_entries( $user_id );
	} catch ( Throwable $e ) {
		return 'offline';
	}
	if ( ! $entries ) {
		return 'offline';
	}
	$pref = wp_get_user_presence_preference( $user_id );
	if ( 'invisible' === $pref || wp_presence_is_forced_invisible( $user_id ) ) {
		return get_current_user_id() === $user_id ? 'invisible' : 'offline';
	}
	if ( 'dnd' === $pref ) {
		return 'dnd';
	}
	$best = 'away';
	foreach ( $entries as $entry ) {
		$activity = wp_presence_entry_activity( $entry );
		if ( wp_presence_activity_rank( $activity ) > wp_presence_activity_rank( $best ) ) {
			$best = $activity;
		}
	}
	return $best;
}
