<?php
/**
 * Labels and links a reply shows: status and screen labels, screen URLs, edit links and post
 * titles, memoised per request.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

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
	unset( $GLOBALS['wp_presence_request_cache']['status_labels'], $GLOBALS['wp_presence_request_cache']['screen_labels'], $GLOBALS['wp_presence_request_cache']['label_locale'] );
}

/**
 * The locale labels are translated for: determine_locale(), memoised per request and current
 * user (it cost about a tenth of a millisecond per Heartbeat reply, called for every label);
 * `change_locale` (switch_to_locale(), restore_previous_locale()) forgets it.
 *
 * @since 1.4.0
 *
 * @return string
 */
function wp_presence_label_locale() {
	$cache = &wp_presence_request_cache( 'label_locale' );
	$user  = get_current_user_id();
	if ( ! isset( $cache[ $user ] ) ) {
		$cache[ $user ] = determine_locale();
	}
	return $cache[ $user ];
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
	$locale = wp_presence_label_locale();
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
	$key    = wp_presence_label_locale() . '|' . $screen;
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
	$screen       = (string) $screen;
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
 * found able to edit it (WP_Presence_View::can_edit_post()).
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
