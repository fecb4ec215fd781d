<?php
/**
 * The tabs' coordinator (`assets/presence-tabs.js`): loaded before the admin UI's script, with
 * the settings it needs (leader scope, leave beacon, idle back-off).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Quiet ticks after which the leader tab backs off.
 *
 * @since 1.2.0
 *
 * @return int
 */
function wp_presence_heartbeat_idle_ticks() {
	/**
	 * Filters after how many Heartbeat ticks in which nothing changed the leader tab slows down
	 * to `wp_presence_heartbeat_idle_interval` (as in presence-api).
	 *
	 * @since 1.2.0
	 *
	 * @param int $ticks Default 5.
	 */
	return max( 1, (int) apply_filters( 'wp_presence_heartbeat_idle_ticks', 5 ) );
}

/**
 * The Heartbeat interval of an idle leader tab, in seconds.
 *
 * @since 1.2.0
 *
 * @return int
 */
function wp_presence_heartbeat_idle_interval() {
	/**
	 * Filters the Heartbeat interval (seconds) of a leader tab whose rooms stayed quiet. It only
	 * ever slows a tab down: a page that already ticks less often keeps its interval. Any input
	 * brings the normal interval back at once.
	 *
	 * @since 1.2.0
	 *
	 * @param int $seconds Default 45.
	 */
	return min( 3600, max( 1, (int) apply_filters( 'wp_presence_heartbeat_idle_interval', 45 ) ) );
}

/**
 * Settings of the coordinator, as `window.wpPresenceTabsSettings`.
 *
 * @since 1.2.0
 *
 * @return array
 */
function wp_presence_tabs_script_settings() {
	return array(
		// Tabs elect one leader per user and site: the lock and channel names carry both.
		'scope'        => substr( md5( wp_presence_namespace() . '|' . get_current_user_id() ), 0, 16 ),
		'ajaxUrl'      => admin_url( 'admin-ajax.php' ),
		'leaveAction'  => 'wp_presence_leave',
		'leaveNonce'   => wp_create_nonce( WP_PRESENCE_LEAVE_NONCE ),
		'grace'        => wp_presence_leave_grace(),
		'idleTicks'    => wp_presence_heartbeat_idle_ticks(),
		'idleInterval' => wp_presence_heartbeat_idle_interval(),
		'maxTabs'      => wp_presence_heartbeat_max_tabs(),
	);
}

/**
 * Loads the coordinator wherever the admin UI's script is enqueued, and makes that script
 * depend on it.
 *
 * Hooked to `admin_enqueue_scripts` and `wp_enqueue_scripts` after the UI (priority 11).
 *
 * @since 1.2.0
 *
 * @return void
 */
function wp_presence_tabs_enqueue() {
	$ui = wp_scripts()->query( 'wp-presence-ui', 'registered' );
	if ( ! $ui || ! wp_script_is( 'wp-presence-ui', 'enqueued' ) || ! is_user_logged_in() ) {
		return;
	}
	$file = WP_PRESENCE_BRIDGE_DIR . '/assets/presence-tabs.js';
	wp_register_script(
		'wp-presence-tabs',
		plugins_url( 'assets/presence-tabs.js', WP_PRESENCE_BRIDGE_FILE ),
		array( 'heartbeat' ),
		file_exists( $file ) ? (string) filemtime( $file ) : WP_PRESENCE_BRIDGE_VERSION,
		array( 'in_footer' => true )
	);
	wp_add_inline_script(
		'wp-presence-tabs',
		'window.wpPresenceTabsSettings = ' . wp_json_encode( wp_presence_tabs_script_settings(), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES ) . ';',
		'before'
	);
	if ( ! in_array( 'wp-presence-tabs', $ui->deps, true ) ) {
		$ui->deps[] = 'wp-presence-tabs';
	}
}
