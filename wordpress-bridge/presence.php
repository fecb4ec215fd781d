<?php
/**
 * Plugin Name:       Presence (native store)
 * Plugin URI:        https://github.com/WordPress/presence-api
 * Description:       Who is online and who is editing what, stored in the presence PHP extension's shared memory (SQL fallback). A drop-in for the presence-api plugin's public functions.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            Presence contributors
 * License:           GPL-2.0-or-later
 * Text Domain:       presence
 * Network:           true
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/*
 * Guard: refuse to run next to presence-api itself (same public functions). Its functions may
 * already exist (it loads first alphabetically), or it may be active and load after us.
 */
$wp_presence_conflict = function_exists( 'wp_get_presence' ) && ! defined( 'WP_PRESENCE_BRIDGE_VERSION' );
if ( ! $wp_presence_conflict ) {
	$wp_presence_active = array_merge( (array) get_option( 'active_plugins', array() ), is_multisite() ? array_keys( (array) get_site_option( 'active_sitewide_plugins', array() ) ) : array() );
	foreach ( $wp_presence_active as $wp_presence_plugin ) {
		if ( 0 === strpos( (string) $wp_presence_plugin, 'presence-api/' ) || 'presence-api.php' === basename( (string) $wp_presence_plugin ) ) {
			$wp_presence_conflict = true;
		}
	}
	unset( $wp_presence_active, $wp_presence_plugin );
}
if ( $wp_presence_conflict || defined( 'WP_PRESENCE_BRIDGE_VERSION' ) ) {
	if ( $wp_presence_conflict ) {
		require_once __DIR__ . '/includes/admin.php';
		// Default priority: a plain notice among the others.
		add_action( 'admin_notices', 'wp_presence_conflict_notice' );
		add_action( 'network_admin_notices', 'wp_presence_conflict_notice' );
	}
	unset( $wp_presence_conflict );
	return;
}
unset( $wp_presence_conflict );

/*
 * Constants.
 */
define( 'WP_PRESENCE_BRIDGE_VERSION', '1.0.0' );
define( 'WP_PRESENCE_BRIDGE_FILE', __FILE__ );
define( 'WP_PRESENCE_BRIDGE_DIR', __DIR__ );
if ( ! defined( 'WP_PRESENCE_DEFAULT_TTL' ) ) {
	// TTL of wp_set_presence() entries, as in presence-api (contract).
	define( 'WP_PRESENCE_DEFAULT_TTL', 60 );
}
if ( ! defined( 'WP_PRESENCE_HEARTBEAT_TTL' ) ) {
	// TTL of Heartbeat entries: above the 120 s unfocused interval, equal to core's post-lock window.
	define( 'WP_PRESENCE_HEARTBEAT_TTL', 150 );
}

/*
 * One file per concern.
 */
require_once __DIR__ . '/includes/interface-wp-presence-store.php';
require_once __DIR__ . '/includes/trait-wp-presence-store-checks.php';
require_once __DIR__ . '/includes/class-wp-presence-store-extension.php';
require_once __DIR__ . '/includes/class-wp-presence-store-sql.php';
require_once __DIR__ . '/includes/class-wp-presence-store-redis.php';
require_once __DIR__ . '/includes/class-wp-presence-store-unavailable.php';
require_once __DIR__ . '/includes/store.php';
require_once __DIR__ . '/includes/api.php';
require_once __DIR__ . '/includes/status.php';
require_once __DIR__ . '/includes/network.php';
require_once __DIR__ . '/includes/heartbeat.php';
require_once __DIR__ . '/includes/heartbeat-tabs.php';
require_once __DIR__ . '/includes/leave.php';
require_once __DIR__ . '/includes/servers.php';
require_once __DIR__ . '/includes/tabs-script.php';
require_once __DIR__ . '/includes/lifecycle.php';
require_once __DIR__ . '/includes/class-wp-presence-rest-controller.php';
require_once __DIR__ . '/includes/class-wp-presence-testing.php';
require_once __DIR__ . '/includes/admin.php';

/*
 * Activation and upgrades.
 */
register_activation_hook( __FILE__, 'wp_presence_activate' );
register_deactivation_hook( __FILE__, 'wp_presence_deactivate' );
// Default priority: schema upgrades on admin page loads (not Ajax, so Heartbeat never checks the schema).
add_action( 'admin_init', 'wp_presence_admin_init_upgrade' );

/*
 * Storage.
 */
// Priority 10, one argument: re-select the namespace whenever switch_to_blog()/restore_current_blog() runs.
add_action( 'switch_blog', 'wp_presence_switch_blog', 10, 1 );
// Default priority: the one-minute schedule must exist before the event is scheduled on activation.
add_filter( 'cron_schedules', 'wp_presence_cron_schedules' );
// Default priority: the cron event reclaims expired entries.
add_action( 'wp_presence_sweep', 'wp_presence_run_sweep' );
// Default priority: switch_to_locale() / restore_previous_locale() empty the memoised status and screen labels.
add_action( 'change_locale', 'wp_presence_flush_label_cache' );

/*
 * Rooms.
 */
// Priority 10 on init: after core registers post and page (priority 0), before themes/plugins check support.
add_action( 'init', 'wp_presence_add_post_type_support', 10 );

/*
 * Heartbeat.
 */
// Priority 9: write presence before core (10) and other plugins read it, as presence-api did.
add_filter( 'heartbeat_received', 'wp_presence_heartbeat_received', 9, 3 );
// Priority 9: the old presence-api protocol, same reasoning.
add_filter( 'heartbeat_received', 'wp_presence_heartbeat_legacy', 9, 3 );
// Priority 11: after core's wp_refresh_post_lock (10) has refreshed _edit_lock.
add_filter( 'heartbeat_received', 'wp_presence_post_lock_bridge', 11, 3 );
// Priority 12, two arguments: after our writes; a web server records its store at most every few minutes, on shutdown.
add_filter( 'heartbeat_received', 'wp_presence_heartbeat_record_server', 12, 2 );
// Default priority: the leave beacon (sendBeacon on pagehide) gives the tab's entries a short grace.
add_action( 'wp_ajax_wp_presence_leave', 'wp_presence_ajax_leave' );
// Priority 11: after the UI enqueued its script (10), load the tabs' coordinator it depends on.
add_action( 'admin_enqueue_scripts', 'wp_presence_tabs_enqueue', 11 );
add_action( 'wp_enqueue_scripts', 'wp_presence_tabs_enqueue', 11 );

/*
 * Lifecycle.
 */
// Default priority, two arguments (login name, WP_User): login writes {screen: 'login'}.
add_action( 'wp_login', 'wp_presence_on_login', 10, 2 );
// Default priority, one argument (user id, WP 5.5+): logout removes the user's entries here.
add_action( 'wp_logout', 'wp_presence_on_logout', 10, 1 );
// Default priority: a deleted user leaves this site's rooms at once (not after the TTL).
add_action( 'deleted_user', 'wp_presence_on_delete_user', 10, 1 );
// Default priority: deleted from the network, fires while the user's sites are still known.
add_action( 'wpmu_delete_user', 'wp_presence_on_wpmu_delete_user', 10, 1 );
// Default priority, two arguments (user id, blog id): removed from one site of a network.
add_action( 'remove_user_from_blog', 'wp_presence_on_remove_user_from_blog', 10, 2 );
// Default priority, four arguments: core expiring _edit_lock (leaving the editor) drops the lock entry.
add_action( 'updated_post_meta', 'wp_presence_on_edit_lock_update', 10, 4 );

/*
 * REST.
 */
// Default priority: routes are registered with the other plugins' routes.
add_action( 'rest_api_init', 'wp_presence_register_rest_routes' );
// Priority 99: last word on our own responses, so Cache-Control: no-store survives other filters.
add_filter( 'rest_request_after_callbacks', 'wp_presence_rest_no_store', 99, 3 );
// Priority 99: same, for responses that never reached a callback (argument validation errors).
add_filter( 'rest_post_dispatch', 'wp_presence_rest_no_store', 99, 3 );
// Priority 99: runs after core sent its no-cache headers for logged-in users; restores exactly no-store.
add_filter( 'rest_pre_serve_request', 'wp_presence_rest_pre_serve', 99, 4 );

/*
 * Admin.
 */
// Default priority: a plain notice among the others.
add_action( 'admin_notices', 'wp_presence_backend_notice' );
// Default priority: the same notice on the network Plugins screen.
add_action( 'network_admin_notices', 'wp_presence_backend_notice' );
// Default priority: adds our test to Site Health.
add_filter( 'site_status_tests', 'wp_presence_site_status_tests' );

/*
 * WP-CLI.
 */
if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( 'WP_CLI' ) ) {
	require_once __DIR__ . '/includes/class-wp-presence-cli-command.php';
	WP_CLI::add_command( 'presence', 'WP_Presence_CLI_Command' );
}

/*
 * Admin UI (assets/ and includes/ui/, maintained separately): its one loader registers its hooks.
 */
if ( file_exists( __DIR__ . '/includes/ui/load.php' ) ) {
	require_once __DIR__ . '/includes/ui/load.php';
}
