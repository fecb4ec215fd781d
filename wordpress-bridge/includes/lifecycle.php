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
	if ( ! $user instanceof WP_User || ! wp_presence_recording_enabled() || ! wp_can_access_presence_room( wp_presence_admin_room(), $user->ID ) ) {
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

/**
 * When core releases a post lock (its `wp-remove-post-lock` request on leaving the editor sets
 * `_edit_lock` to an expired time), the lock holder's `lock-{uid}` entry goes at once instead of
 * lingering for the lock window.
 *
 * @since 1.0.0
 *
 * @param int    $meta_id    Meta id.
 * @param int    $post_id    Post id.
 * @param string $meta_key   Meta key.
 * @param mixed  $meta_value New value, "time:user_id".
 * @return void
 */
function wp_presence_on_edit_lock_update( $meta_id, $post_id, $meta_key, $meta_value ) {
	if ( '_edit_lock' !== $meta_key || ! is_string( $meta_value ) || false === strpos( $meta_value, ':' ) ) {
		return;
	}
	list( $time, $user_id ) = array_map( 'intval', explode( ':', $meta_value, 2 ) );
	/** This filter is documented in wp-admin/includes/post.php */
	$window = (int) apply_filters( 'wp_check_post_lock_window', 150 );
	// Core releases a lock by back-dating it to 5 s before expiry; a refresh writes "now".
	if ( $user_id <= 0 || $time > time() - $window + 10 ) {
		return; // A live lock: the Heartbeat bridge keeps the entry.
	}
	$room = wp_presence_post_room( (int) $post_id );
	if ( $room ) {
		wp_remove_presence( $room, 'lock-' . $user_id );
	}
}
