<?php
/**
 * Admin UI: enqueues the script and styles, with the settings the script needs.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Seconds without input after which a tab reports "idle".
 *
 * @return int
 */
function wp_presence_ui_idle_after() {
	/**
	 * Filters after how many seconds without keyboard, mouse, scroll or touch input a tab is "idle".
	 *
	 * @param int $seconds Default 60.
	 */
	return max( 1, (int) apply_filters( 'wp_presence_idle_after', 60 ) );
}

/**
 * Seconds without input after which a tab reports "away".
 *
 * @return int
 */
function wp_presence_ui_away_after() {
	/**
	 * Filters after how many seconds without input a tab is "away". A hidden tab is away at once.
	 *
	 * @param int $seconds Default 300.
	 */
	return max( wp_presence_ui_idle_after() + 1, (int) apply_filters( 'wp_presence_away_after', 300 ) );
}

/**
 * URL of a file in the plugin's assets folder.
 *
 * @param string $file File name.
 * @return string
 */
function wp_presence_ui_asset_url( $file ) {
	return plugins_url( 'assets/' . $file, dirname( __DIR__, 2 ) . '/presence.php' );
}

/**
 * Version string of an asset, so browsers refetch it when it changes.
 *
 * @param string $file File name.
 * @return string
 */
function wp_presence_ui_asset_version( $file ) {
	$path = dirname( __DIR__, 2 ) . '/assets/' . $file;
	return file_exists( $path ) ? (string) filemtime( $path ) : '1';
}

/**
 * Whether the current request shows any presence UI.
 *
 * @return bool
 */
function wp_presence_ui_should_enqueue() {
	if ( ! wp_presence_ui_api_available() || ! wp_presence_ui_user_can_see() ) {
		return false;
	}
	return is_admin() || is_admin_bar_showing();
}

/**
 * Settings handed to the script as `window.wpPresenceSettings`.
 *
 * @return array
 */
function wp_presence_ui_script_settings() {
	$location  = wp_presence_ui_current_location();
	$post_room = '';
	if ( $location['post_id'] > 0 && is_admin() && function_exists( 'wp_presence_post_room' ) ) {
		$room      = wp_presence_post_room( $location['post_id'] );
		$post_room = is_string( $room ) ? $room : '';
	}
	$preferences = array();
	foreach ( wp_presence_ui_preferences() as $value => $label ) {
		$preferences[] = array(
			'value' => $value,
			'label' => $label,
			'url'   => wp_presence_ui_preference_url( $value ),
		);
	}
	$page = wp_presence_ui_online_page();
	return array(
		'userId'       => get_current_user_id(),
		'screen'       => $location['screen'],
		'postId'       => $location['post_id'],
		'isFront'      => ! is_admin(),
		'adminRoom'    => function_exists( 'wp_presence_admin_room' ) ? wp_presence_admin_room() : 'admin/online',
		'postRoom'     => $post_room,
		'idleAfter'    => wp_presence_ui_idle_after(),
		'awayAfter'    => wp_presence_ui_away_after(),
		'restUrl'      => esc_url_raw( rest_url( 'wp-presence/v1/presence' ) ),
		'restNonce'    => wp_create_nonce( 'wp_rest' ),
		'ajaxUrl'      => admin_url( 'admin-ajax.php' ),
		'statusNonce'  => wp_create_nonce( 'wp-presence-status' ),
		'onlineUrl'    => wp_presence_ui_online_users_url(),
		'fullRows'     => wp_presence_ui_widget_full_rows(),
		'stackAfter'   => wp_presence_ui_widget_stack_after(),
		'statusLabels' => array_combine(
			wp_presence_ui_statuses(),
			array_map( 'wp_presence_ui_status_label', wp_presence_ui_statuses() )
		),
		'preferences'  => $preferences,
		'self'         => wp_presence_ui_self(),
		// What the page was rendered with, so the first reply only redraws on a change: the
		// first users and how many others there are (the rest comes page by page over REST).
		'initial'      => array(
			'users' => $page['users'],
			'total' => $page['total'],
			'posts' => wp_presence_ui_active_posts_if_dashboard(),
		),
	);
}

/**
 * Active posts, only where the page shows them (dashboard, posts lists).
 *
 * @return array[]|null Null when the page does not show them.
 */
function wp_presence_ui_active_posts_if_dashboard() {
	$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
	if ( ! $screen || ! in_array( $screen->base, array( 'dashboard', 'edit' ), true ) ) {
		return null;
	}
	return wp_presence_ui_active_posts();
}

/**
 * Enqueues the script and styles.
 *
 * Hooked to `admin_enqueue_scripts` and `wp_enqueue_scripts`.
 *
 * @return void
 */
function wp_presence_ui_enqueue() {
	if ( ! wp_presence_ui_should_enqueue() ) {
		return;
	}
	wp_enqueue_style( 'wp-presence-ui', wp_presence_ui_asset_url( 'presence.css' ), array( 'dashicons' ), wp_presence_ui_asset_version( 'presence.css' ) );
	wp_enqueue_script(
		'wp-presence-ui',
		wp_presence_ui_asset_url( 'presence.js' ),
		array( 'heartbeat', 'wp-i18n' ),
		wp_presence_ui_asset_version( 'presence.js' ),
		array( 'in_footer' => true )
	);
	wp_set_script_translations( 'wp-presence-ui', 'presence' );
}

/**
 * Prints the settings right before the script, once the page (and so the
 * admin bar) is known.
 *
 * Hooked late to `admin_footer` / `wp_footer` (priority 1, before footer scripts print).
 *
 * @return void
 */
function wp_presence_ui_print_settings() {
	if ( ! wp_script_is( 'wp-presence-ui', 'enqueued' ) ) {
		return;
	}
	wp_add_inline_script(
		'wp-presence-ui',
		'window.wpPresenceSettings = ' . wp_json_encode( wp_presence_ui_script_settings(), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES ) . ';',
		'before'
	);
}
