<?php
/**
 * The bridge API the admin UI and other plugins read (docs/CONTRACT.md §2): every function
 * answers through a WP_Presence_View of the viewer.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * What of one stored entry a viewer may see (WP_Presence_View::see()).
 *
 * @since 1.2.0
 *
 * @param array    $entry  Stored entry.
 * @param int|null $viewer Viewer; the current user by default.
 * @return array|null The entry as the viewer sees it, or null when it does not exist for them.
 */
function wp_presence_see_entry( array $entry, $viewer = null ) {
	return ( new WP_Presence_View( null === $viewer ? get_current_user_id() : (int) $viewer ) )->see( $entry );
}

/**
 * A client id as others see it: bridge tab ids (`tab-{uid}-{tab}`, `editor-{uid}-{tab}`) become
 * a token that names the entry without giving away the tab, so it cannot be used to probe for
 * the tab's entries later.
 *
 * @since 1.2.0
 *
 * @param string $client_id Client id.
 * @return string
 */
function wp_presence_public_client_id( $client_id ) {
	static $salt = null;
	$client_id   = (string) $client_id;
	if ( ( 't' !== substr( $client_id, 0, 1 ) && 'e' !== substr( $client_id, 0, 1 ) ) || ! preg_match( '/^(tab|editor)-(\d+)-[a-z0-9]{8,16}$/D', $client_id, $m ) ) {
		return $client_id;
	}
	if ( null === $salt ) {
		$salt = wp_salt( 'nonce' );
	}
	return $m[1] . '-' . $m[2] . '-x' . substr( md5( $salt . '|' . $client_id ), 0, 11 );
}

/**
 * One row per user online in a room, as a viewer sees them.
 *
 * @since 1.0.0
 *
 * @param array $args {
 *     Optional.
 *     @type string $room   Room; the admin room by default.
 *     @type int    $viewer Viewer; the current user by default.
 *     @type int    $limit  At most this many rows; 0 for all.
 * }
 * @return array[] See WP_Presence_View::rows_from(). Empty when the viewer may not access the room.
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
	try {
		$rows = ( new WP_Presence_View( (int) $args['viewer'] ) )->rows( (string) $args['room'] );
	} catch ( Throwable $e ) {
		return array();
	}
	return $args['limit'] > 0 ? array_slice( $rows, 0, (int) $args['limit'] ) : $rows;
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
	if ( ! $room ) {
		return array();
	}
	try {
		$view = WP_Presence_View::current();
		return $view->editors_from( $view->entries( $room ) );
	} catch ( Throwable $e ) {
		return array();
	}
}

/**
 * Posts being edited, with their editors counted once per user.
 *
 * @since 1.0.0
 *
 * @param int|null     $viewer Viewer; the current user by default.
 * @param array[]|null $rooms  The post rooms (`rooms( 'postType/' )`) when the caller has them already.
 * @return array[] post_id, post_type, title, edit_url, updated, editors. Only posts the viewer can edit.
 */
function wp_presence_active_posts( $viewer = null, $rooms = null ) {
	try {
		return ( new WP_Presence_View( null === $viewer ? get_current_user_id() : (int) $viewer ) )->active_posts( $rooms );
	} catch ( Throwable $e ) {
		return array();
	}
}

/**
 * Version of the current user's active-posts view: changes whenever a post room changes.
 *
 * @since 1.0.0
 *
 * @param array[]|null $rooms The post rooms (`rooms( 'postType/' )`) when the caller has them already.
 * @return string
 */
function wp_presence_active_posts_version( $rooms = null ) {
	try {
		return WP_Presence_View::current()->active_posts_version( $rooms );
	} catch ( Throwable $e ) {
		return '';
	}
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
	try {
		return WP_Presence_View::current()->user_status( (int) $user_id );
	} catch ( Throwable $e ) {
		return 'offline';
	}
}

/**
 * What a view sees of the whole site: rooms, entries and distinct users.
 *
 * @since 1.2.0
 *
 * @param WP_Presence_View|null $view View; the current user's by default.
 * @return array rooms, entries, users.
 */
function wp_presence_site_counts( $view = null ) {
	$view  = $view instanceof WP_Presence_View ? $view : WP_Presence_View::current();
	$users = array();
	$count = array(
		'rooms'   => 0,
		'entries' => 0,
		'users'   => 0,
	);
	foreach ( $view->rooms( '' ) as $room ) {
		++$count['rooms'];
		$count['entries'] += $room['entries'];
		foreach ( $room['users'] as $row ) {
			$users[ $row['user_id'] ] = true;
		}
	}
	$count['users'] = count( $users );
	return $count;
}
