<?php
/**
 * The script of presence-api's JavaScript surface (assets/presence-hooks.js): `wp.hooks`
 * actions and filters, and the `usePresenceUsers()` React hook.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers `wp-presence-hooks` (plugins may depend on it) and loads it in the block editor,
 * where presence-api's callers use it.
 *
 * Hooked to `admin_enqueue_scripts` and `enqueue_block_editor_assets`; it loads only while
 * presence is recorded, and never for users who cannot use presence rooms.
 *
 * @since 1.3.0
 *
 * @return void
 */
function wp_presence_hooks_enqueue() {
	$dir = WP_PRESENCE_BRIDGE_DIR . '/assets/';
	if ( ! wp_script_is( 'wp-presence-hooks', 'registered' ) ) {
		wp_register_script( 'wp-presence-hooks', plugins_url( 'assets/presence-hooks.js', WP_PRESENCE_BRIDGE_FILE ), array( 'wp-hooks', 'wp-element', 'wp-api-fetch', 'jquery' ), (string) filemtime( $dir . 'presence-hooks.js' ), array( 'in_footer' => true ) );
		/**
		 * Filters how often usePresenceUsers() polls a room, in seconds.
		 *
		 * @since 1.3.0
		 *
		 * @param int $seconds Default 15.
		 */
		$interval = max( 2, (int) apply_filters( 'wp_presence_hooks_poll_interval', 15 ) );
		wp_localize_script(
			'wp-presence-hooks',
			'wpPresenceHooks',
			array(
				'userId'   => get_current_user_id(),
				'interval' => $interval,
			)
		);
	}
	if ( 'enqueue_block_editor_assets' === current_action() && wp_presence_recording_enabled() && current_user_can( 'edit_posts' ) ) {
		wp_enqueue_script( 'wp-presence-hooks' );
	}
}
