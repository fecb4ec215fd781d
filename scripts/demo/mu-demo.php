<?php
/**
 * Plugin Name: Presence demo helpers
 * Description: Installed by scripts/demo.sh into the demo site's mu-plugins. Avatars that work without
 *              internet access: a small SVG with the user's initials, written once per user under
 *              wp-content/uploads/presence-demo-avatars/ and served by nginx, instead of Gravatar.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

add_filter(
	'pre_get_avatar_data',
	static function ( $args, $id_or_email ) {
		$user = null;
		if ( is_numeric( $id_or_email ) ) {
			$user = get_userdata( (int) $id_or_email );
		} elseif ( $id_or_email instanceof WP_User ) {
			$user = $id_or_email;
		} elseif ( $id_or_email instanceof WP_Post ) {
			$user = get_userdata( (int) $id_or_email->post_author );
		} elseif ( $id_or_email instanceof WP_Comment ) {
			$user = $id_or_email->user_id ? get_userdata( (int) $id_or_email->user_id ) : null;
		} elseif ( is_string( $id_or_email ) && is_email( $id_or_email ) ) {
			$user = get_user_by( 'email', $id_or_email );
		}
		$name  = $user ? (string) $user->display_name : '?';
		$email = $user ? (string) $user->user_email : (string) ( is_string( $id_or_email ) ? $id_or_email : '' );
		$hash  = md5( strtolower( trim( $email . '|' . $name ) ) );
		$dir   = WP_CONTENT_DIR . '/uploads/presence-demo-avatars';
		$file  = "$dir/$hash.svg";
		if ( ! file_exists( $file ) ) {
			$words    = preg_split( '/\s+/', trim( $name ) );
			$initials = strtoupper( mb_substr( $words[0], 0, 1 ) . ( count( $words ) > 1 ? mb_substr( end( $words ), 0, 1 ) : '' ) );
			$hue      = hexdec( substr( $hash, 0, 4 ) ) % 360;
			$svg      = sprintf(
				'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96"><rect width="96" height="96" fill="hsl(%d,55%%,45%%)"/><text x="48" y="50" dy=".35em" text-anchor="middle" font-family="DejaVu Sans,Arial,sans-serif" font-size="40" font-weight="600" fill="#fff">%s</text></svg>',
				$hue,
				htmlspecialchars( $initials, ENT_XML1 )
			);
			wp_mkdir_p( $dir );
			file_put_contents( $file, $svg );
		}
		$args['url']          = content_url( "uploads/presence-demo-avatars/$hash.svg" );
		$args['found_avatar'] = true;
		return $args;
	},
	10,
	2
);
