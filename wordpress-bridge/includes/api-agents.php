<?php
/**
 * presence-api's smaller predicates: agent users. Guarded, so
 * another definition loaded first (presence-api's, or a helper file of this plugin) wins.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

if ( ! function_exists( 'wp_presence_is_agent_user' ) ) {
	/**
	 * Whether a user is an AI agent (presence-api 0.13), whose rows the UI labels as an agent's.
	 *
	 * The bridge knows no agents of its own: a site or an agent plugin says which users are.
	 *
	 * @since 1.3.0
	 *
	 * @param int $user_id User id.
	 * @return bool
	 */
	function wp_presence_is_agent_user( $user_id ) {
		$user_id = (int) $user_id;

		/**
		 * Filters whether a user is an AI agent (presence-api contract).
		 *
		 * @since 1.3.0
		 *
		 * @param bool $is_agent Default false.
		 * @param int  $user_id  User id.
		 */
		return $user_id > 0 && (bool) apply_filters( 'wp_presence_is_agent_user', false, $user_id );
	}
}

// wp_presence_network_aggregation_enabled() lives with the network counts (includes/network-counts.php).
