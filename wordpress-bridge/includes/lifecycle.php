<?php
/**
 * Login, logout and user deletion.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Login writes `admin/online` / `user-{uid}` with `{screen: 'login'}` (default TTL).
 *
 * @since 1.0.0
 *
 * @param string  $user_login Login name.
 * @param WP_User $user       User.
 * @return void
 */
function wp_presence_on_login( $user_login, $user ) {
	if ( ! $user instanceof WP_User || ! wp_can_access_presence_room( wp_presence_admin_room(), $user->ID ) ) {
		return;
	}
	try {
		wp_presence_store()->upsert(
			wp_presence_admin_room(),
			'user-' . $user->ID,
			$user->ID,
			array(
				'screen' => 'login',
				'_wp'    => wp_presence_user_card( $user->ID ),
			),
			wp_presence_default_ttl()
		);
	} catch ( Throwable $e ) {
		return;
	}
}

/**
 * Logout removes every entry of the user on this site.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id (passed since WordPress 5.5).
 * @return void
 */
function wp_presence_on_logout( $user_id = 0 ) {
	$user_id = (int) $user_id;
	if ( $user_id <= 0 ) {
		$user_id = get_current_user_id();
	}
	wp_remove_user_presence( $user_id );
}

/**
 * Deleting a user (or removing them from a site) removes their entries on this site.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_on_delete_user( $user_id ) {
	wp_remove_user_presence( (int) $user_id );
}

/**
 * Deleting a user from the network removes their entries on every site they belong to.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @return void
 */
function wp_presence_on_wpmu_delete_user( $user_id ) {
	$user_id = (int) $user_id;
	foreach ( array_keys( get_blogs_of_user( $user_id, true ) ) as $blog_id ) {
		wp_presence_in_blog(
			(int) $blog_id,
			static function () use ( $user_id ) {
				return wp_remove_user_presence( $user_id );
			}
		);
	}
	wp_remove_user_presence( $user_id );
}

/**
 * A user removed from one site of a network leaves that site's rooms.
 *
 * @since 1.0.0
 *
 * @param int $user_id User id.
 * @param int $blog_id Blog id.
 * @return void
 */
function wp_presence_on_remove_user_from_blog( $user_id, $blog_id ) {
	$user_id = (int) $user_id;
	wp_presence_in_blog(
		(int) $blog_id,
		static function () use ( $user_id ) {
			return wp_remove_user_presence( $user_id );
		}
	);
}
