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
