<?php
/**
 * The `view_presence_location` meta capability: who may see where others are.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Maps `view_presence_location` (presence-api 0.9): always granted for oneself, otherwise it
 * needs `list_users`, since where someone is (the screen, the post) says more than that they are
 * online. Sites change the rule on `map_meta_cap` (a later priority) or `user_has_cap`; the view
 * (WP_Presence_View::can_see_location_of()) asks it for every entry of `admin/online`.
 *
 * @since 1.3.0
 *
 * @param string[] $caps    Primitive capabilities required.
 * @param string   $cap     Capability asked for.
 * @param int      $user_id The user asking.
 * @param array    $args    For ours: the user id whose location is asked about.
 * @return string[]
 */
function wp_presence_map_location_cap( $caps, $cap, $user_id, $args ) {
	if ( 'view_presence_location' !== $cap ) {
		return $caps;
	}
	$subject = isset( $args[0] ) ? (int) $args[0] : 0;
	if ( (int) $user_id > 0 && $subject === (int) $user_id ) {
		return array( 'exist' );
	}
	return array( 'list_users' );
}

/**
 * Whether `view_presence_location` has the same answer for every other user a viewer asks
 * about: only the bridge's rule is hooked on `map_meta_cap` and only core's own grants on
 * `user_has_cap` (none of which reads the user asked about). The view then asks once per
 * viewer instead of once per user shown (a capability check costs about 22 k instructions, and
 * a Heartbeat reply shows up to 20 users). Any other callback on either hook may decide per
 * user, and then each user is asked.
 *
 * @since 1.4.0
 *
 * @return bool
 */
function wp_presence_location_cap_is_uniform() {
	static $known = array(
		'map_meta_cap' => array( 'wp_presence_map_location_cap' => true ),
		'user_has_cap' => array(
			'wp_maybe_grant_install_languages_cap'  => true,
			'wp_maybe_grant_resume_extensions_caps' => true,
			'wp_maybe_grant_site_health_caps'       => true,
		),
	);
	global $wp_filter;
	foreach ( $known as $hook => $allowed ) {
		if ( ! isset( $wp_filter[ $hook ] ) ) {
			continue;
		}
		if ( ! $wp_filter[ $hook ] instanceof WP_Hook ) {
			return false;
		}
		foreach ( $wp_filter[ $hook ]->callbacks as $callbacks ) {
			foreach ( $callbacks as $callback ) {
				if ( ! is_string( $callback['function'] ) || ! isset( $allowed[ $callback['function'] ] ) ) {
					return false;
				}
			}
		}
	}
	return true;
}
