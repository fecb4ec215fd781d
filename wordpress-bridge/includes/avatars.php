<?php
/**
 * Avatar fallback: wherever an avatar image cannot load (an intranet without Gravatar, a privacy
 * plugin blocking it), assets/presence-avatars.js draws the user's initials on a disc coloured
 * from the user id, keeping the name available as text.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Whether this request shows faces the fallback should cover: a logged-in user in the admin, or
 * on the public site with the admin bar.
 *
 * @since 1.1.0
 *
 * @return bool
 */
function wp_presence_avatars_active() {
	return is_user_logged_in() && ( is_admin() || is_admin_bar_showing() );
}

/**
 * Adds the user's id and name to core avatars (`get_avatar()`: users list, admin bar, comments),
 * so the fallback can name and colour them. Only users already in the object cache are named:
 * this never runs a query.
 *
 * Hooked to `get_avatar`.
 *
 * @since 1.1.0
 *
 * @param string $avatar      The <img> HTML.
 * @param mixed  $id_or_email User id, email, WP_User, WP_Post or WP_Comment.
 * @return string
 */
function wp_presence_avatar_attributes( $avatar, $id_or_email ) {
	if ( ! is_string( $avatar ) || '' === $avatar || false !== strpos( $avatar, 'data-wp-presence-user=' ) || ! wp_presence_avatars_active() ) {
		return $avatar;
	}
	$user_id = 0;
	$name    = '';
	if ( $id_or_email instanceof WP_User ) {
		$user_id = (int) $id_or_email->ID;
		$name    = (string) $id_or_email->display_name;
	} elseif ( $id_or_email instanceof WP_Post ) {
		$user_id = (int) $id_or_email->post_author;
	} elseif ( $id_or_email instanceof WP_Comment ) {
		$user_id = (int) $id_or_email->user_id;
		$name    = (string) $id_or_email->comment_author;
	} elseif ( is_numeric( $id_or_email ) ) {
		$user_id = (int) $id_or_email;
	}
	if ( $user_id > 0 && '' === $name ) {
		$cached = wp_cache_get( $user_id, 'users' );
		$name   = $cached && isset( $cached->display_name ) ? (string) $cached->display_name : '';
	}
	if ( $user_id <= 0 && '' === $name ) {
		return $avatar;
	}
	$attributes = sprintf( ' data-wp-presence-user="%d"', max( 0, $user_id ) );
	if ( '' !== $name ) {
		$attributes .= sprintf( ' data-display-name="%s"', esc_attr( $name ) );
	}
	return preg_replace( '/<img\b/i', '<img' . $attributes, $avatar, 1 );
}

/**
 * Names of the users the page shows, by id, for faces that carry only an id.
 *
 * @since 1.1.0
 *
 * @return string[] User id => display name.
 */
function wp_presence_avatar_names() {
	$names = array();
	if ( function_exists( 'wp_presence_ui_online_page' ) && wp_presence_ui_enabled() ) {
		// The users the page renders (the first rows, not everyone online); later ones carry their names.
		foreach ( wp_presence_ui_online_page()['users'] as $row ) {
			if ( ! empty( $row['user_id'] ) && '' !== (string) $row['display_name'] ) {
				$names[ (int) $row['user_id'] ] = (string) $row['display_name'];
			}
		}
	}
	$me = wp_get_current_user();
	if ( $me->exists() ) {
		$names[ (int) $me->ID ] = (string) $me->display_name;
	}
	return $names;
}

/**
 * Enqueues the fallback script (in the head, so its listener is there before the page's images
 * load) and its styles.
 *
 * Hooked to `admin_enqueue_scripts` and `wp_enqueue_scripts`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_avatars_enqueue() {
	if ( ! wp_presence_avatars_active() ) {
		return;
	}
	$base = plugins_url( 'assets/', WP_PRESENCE_BRIDGE_FILE );
	$dir  = WP_PRESENCE_BRIDGE_DIR . '/assets/';
	wp_enqueue_style( 'wp-presence-avatars', $base . 'presence-avatars.css', array(), (string) filemtime( $dir . 'presence-avatars.css' ) );
	wp_enqueue_script( 'wp-presence-avatars', $base . 'presence-avatars.js', array(), (string) filemtime( $dir . 'presence-avatars.js' ), array( 'in_footer' => false ) );
	wp_add_inline_script(
		'wp-presence-avatars',
		'window.wpPresenceAvatars = ' . wp_json_encode( array( 'names' => (object) wp_presence_avatar_names() ), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ) . ';',
		'before'
	);
}
