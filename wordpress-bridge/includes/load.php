<?php
/**
 * The plugin, loaded by presence.php: the conflict guard, the constants, one file per concern,
 * and every hook with a note on its priority.
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
	$wp_presence_self   = null; // plugin_basename(): only once a name looks like presence-api's (it costs regexes on every request).
	foreach ( $wp_presence_active as $wp_presence_plugin ) {
		$wp_presence_plugin = (string) $wp_presence_plugin;
		if ( false === strpos( $wp_presence_plugin, 'presence-api' ) || ( 0 !== strpos( $wp_presence_plugin, 'presence-api/' ) && 'presence-api.php' !== basename( $wp_presence_plugin ) ) ) {
			continue;
		}
		$wp_presence_self = null === $wp_presence_self ? plugin_basename( dirname( __DIR__ ) . '/presence.php' ) : $wp_presence_self; // The bridge may be installed as presence-api/ itself.
		if ( $wp_presence_plugin !== $wp_presence_self ) {
			$wp_presence_conflict = true;
		}
	}
	unset( $wp_presence_active, $wp_presence_plugin, $wp_presence_self );
}
if ( $wp_presence_conflict || defined( 'WP_PRESENCE_BRIDGE_VERSION' ) ) {
	if ( $wp_presence_conflict ) {
		require_once __DIR__ . '/admin.php';
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
define( 'WP_PRESENCE_BRIDGE_FILE', dirname( __DIR__ ) . '/presence.php' );
define( 'WP_PRESENCE_BRIDGE_DIR', dirname( __DIR__ ) );
if ( ! defined( 'WP_PRESENCE_DEFAULT_TTL' ) ) {
	// TTL of wp_set_presence() entries: presence-api's since 0.2, above core's 120 s unfocused Heartbeat.
	define( 'WP_PRESENCE_DEFAULT_TTL', 150 );
}
if ( ! defined( 'WP_PRESENCE_HEARTBEAT_TTL' ) ) {
	// TTL of Heartbeat entries: above the 120 s unfocused interval, equal to core's post-lock window.
	define( 'WP_PRESENCE_HEARTBEAT_TTL', 150 );
}

/*
 * One file per concern.
 */
require_once __DIR__ . '/request-kind.php'; // First: the files below ask it.
require_once __DIR__ . '/interface-wp-presence-store.php';
require_once __DIR__ . '/trait-wp-presence-store-checks.php';
require_once __DIR__ . '/class-wp-presence-store-extension.php';
require_once __DIR__ . '/class-wp-presence-store-sql.php';
require_once __DIR__ . '/class-wp-presence-store-redis.php';
require_once __DIR__ . '/class-wp-presence-store-unavailable.php';
require_once __DIR__ . '/store.php';
require_once __DIR__ . '/rooms.php';
require_once __DIR__ . '/location-cap.php';
require_once __DIR__ . '/api.php';
require_once __DIR__ . '/preferences.php';
require_once __DIR__ . '/cards.php';
require_once __DIR__ . '/statuses.php';
require_once __DIR__ . '/labels.php';
require_once __DIR__ . '/write-rules.php';
require_once __DIR__ . '/namespace-names.php';
require_once __DIR__ . '/site-store.php';
require_once __DIR__ . '/trait-wp-presence-view-shapes.php';
require_once __DIR__ . '/trait-wp-presence-view-changes.php';
require_once __DIR__ . '/class-wp-presence-view.php';
require_once __DIR__ . '/view.php';
require_once __DIR__ . '/network.php';
require_once __DIR__ . '/network-counts.php';
require_once __DIR__ . '/api-exchange.php';
require_once __DIR__ . '/api-agents.php';
require_once __DIR__ . '/collaboration.php';
require_once __DIR__ . '/plugin-dependencies.php';
require_once __DIR__ . '/hooks-script.php';
require_once __DIR__ . '/heartbeat.php';
require_once __DIR__ . '/heartbeat-compact-rows.php';
require_once __DIR__ . '/heartbeat-tabs.php';
require_once __DIR__ . '/leave.php';
require_once __DIR__ . '/servers.php';
require_once __DIR__ . '/tabs-script.php';
require_once __DIR__ . '/lifecycle.php';
require_once __DIR__ . '/class-wp-presence-rest-controller.php';
require_once __DIR__ . '/class-wp-presence-rest-network-controller.php';
if ( defined( 'WP_PRESENCE_TESTING' ) && WP_PRESENCE_TESTING ) {
	require_once __DIR__ . '/class-wp-presence-testing.php'; // Test helpers: test suites only.
}
require_once __DIR__ . '/admin.php';
require_once __DIR__ . '/recording.php';
require_once __DIR__ . '/settings.php';
require_once __DIR__ . '/class-wp-presence-settings-page.php';
require_once __DIR__ . '/privacy.php';
require_once __DIR__ . '/stale-screen.php';
require_once __DIR__ . '/avatars.php';
require_once __DIR__ . '/i18n.php';

/*
 * Hooks of page loads only (activation, scripts, notices, menus, settings fields, other Ajax
 * actions): not on a Heartbeat tick, where none of them fires (includes/page-hooks.php).
 */
if ( ! wp_presence_is_heartbeat_request() ) {
	require_once __DIR__ . '/page-hooks.php';
}

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
// Priority 9: the new locale's translation (or none) is chosen before the labels are asked again.
add_action( 'change_locale', 'wp_presence_select_textdomain', 9 );

/*
 * Rooms.
 */
// Priority 10 on init: after core registers post and page (priority 0), before themes/plugins check support.
add_action( 'init', 'wp_presence_add_post_type_support', 10 );
// Priority 10, four arguments: view_presence_location maps to list_users (oneself: always); later priorities may change it.
add_filter( 'map_meta_cap', 'wp_presence_map_location_cap', 10, 4 );

/*
 * Collaboration: a post room gains or loses its second editor (includes/collaboration.php).
 */
// Default priority, four arguments: after every write that created an entry, and every removal.
add_action( 'wp_presence_entry_added', 'wp_presence_collaboration_on_added', 10, 4 );
add_action( 'wp_presence_entry_removed', 'wp_presence_collaboration_on_removed', 10, 4 );
// Default priority: a plugin that requires `presence-api` activates while the bridge is active.
add_filter( 'wp_plugin_dependencies_slug', 'wp_presence_dependency_slug' );

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

/*
 * Lifecycle: login, logout, sessions, spam, removal and deletion (hooks and priorities in includes/lifecycle.php).
 */
wp_presence_lifecycle_hooks();

/*
 * REST.
 */
// Default priority: routes are registered with the other plugins' routes.
add_action( 'rest_api_init', 'wp_presence_register_rest_routes' );
// Default priority: the network routes (multisite only), with the others.
add_action( 'rest_api_init', 'wp_presence_register_network_rest_routes' );
// Priority 99: last word on our own responses, so Cache-Control: no-store survives other filters.
add_filter( 'rest_request_after_callbacks', 'wp_presence_rest_no_store', 99, 3 );
// Priority 99: same, for responses that never reached a callback (argument validation errors).
add_filter( 'rest_post_dispatch', 'wp_presence_rest_no_store', 99, 3 );
// Priority 99: runs after core sent its no-cache headers for logged-in users; restores exactly no-store.
add_filter( 'rest_pre_serve_request', 'wp_presence_rest_pre_serve', 99, 4 );

/*
 * Site owners: recording switch, settings, the suggested privacy policy text, translations.
 */
// Default priority on init: translations are loaded before any string is shown.
add_action( 'init', 'wp_presence_load_textdomain' );
// Default priority on init: settings exist before options.php or the REST settings route saves them.
add_action( 'init', 'wp_presence_register_settings' );
// Default priority: turning a switch off clears the stored presence of the site, or of every site of the network.
add_action( 'update_option_' . WP_PRESENCE_RECORDING_OPTION, 'wp_presence_on_recording_updated', 10, 2 );
add_action( 'add_option_' . WP_PRESENCE_RECORDING_OPTION, 'wp_presence_on_recording_added', 10, 2 );
// Default priority, two arguments: the invisible switch moves the users it concerns between namespaces at once.
add_action( 'update_option_' . WP_PRESENCE_FEATURES_OPTION, 'wp_presence_on_features_updated', 10, 2 );
add_action( 'add_option_' . WP_PRESENCE_FEATURES_OPTION, 'wp_presence_on_features_updated', 10, 2 );
add_action( 'update_site_option_' . WP_PRESENCE_NETWORK_RECORDING_OPTION, 'wp_presence_on_network_recording_updated', 10, 4 );
add_action( 'add_site_option_' . WP_PRESENCE_NETWORK_RECORDING_OPTION, 'wp_presence_on_network_recording_added', 10, 3 );
// Priority 10, after permission checks: with recording off, REST writes answer 501 and reads are empty.
add_filter( 'rest_dispatch_request', 'wp_presence_rest_recording_gate', 10, 2 );
// Priority 5: the saved idle and away times feed the UI's filters; code at the default priority still wins.
add_filter( 'wp_presence_idle_after', 'wp_presence_filter_idle_after', 5 );
add_filter( 'wp_presence_away_after', 'wp_presence_filter_away_after', 5 );
// Default priority: the suggested privacy policy text (core collects it on admin_init).
add_action( 'admin_init', 'wp_presence_privacy_policy_content' );

/*
 * The stale-screen warning.
 */
// Priority 12: after the presence handlers (9, 11); it reads one store entry.
add_filter( 'heartbeat_received', 'wp_presence_screen_heartbeat', 12, 3 );
// Default priority: saves bump the screen's revision.
add_action( 'save_post', 'wp_presence_screen_on_save_post', 10, 2 );
add_action( 'profile_update', 'wp_presence_screen_on_profile_update', 10, 1 );
add_action( 'edited_term', 'wp_presence_screen_on_edited_term', 10, 1 );
add_action( 'edit_comment', 'wp_presence_screen_on_edit_comment', 10, 1 );
add_action( 'wp_set_comment_status', 'wp_presence_screen_on_edit_comment', 10, 1 );
add_action( 'updated_option', 'wp_presence_screen_on_option_change', 10, 1 );
add_action( 'added_option', 'wp_presence_screen_on_option_change', 10, 1 );
add_action( 'update_wpmu_options', 'wp_presence_screen_on_network_settings' );
add_action( 'wp_presence_network_settings_saved', 'wp_presence_screen_on_network_presence_settings' );
// Priority 20: after the default room rules, revision rooms are closed to everyone.
add_filter( 'wp_can_access_presence_room', 'wp_presence_screen_rooms_are_private', 20, 2 );
// Default priority: the REST check, with the other plugins' routes.
add_action( 'rest_api_init', 'wp_presence_register_screen_route' );

/*
 * Avatar fallback.
 */
// Default priority: core avatars carry the user's id and name for the fallback.
add_filter( 'get_avatar', 'wp_presence_avatar_attributes', 10, 2 );

/*
 * WP-CLI.
 */
if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( 'WP_CLI' ) ) {
	require_once __DIR__ . '/class-wp-presence-cli-command.php';
	WP_CLI::add_command( 'presence', 'WP_Presence_CLI_Command' );
	require_once __DIR__ . '/class-wp-presence-cli-recording.php';
	WP_CLI::add_command( 'presence recording', 'WP_Presence_CLI_Recording_Command' );
}

/*
 * Admin UI (assets/ and includes/ui/, maintained separately): its one loader registers its hooks.
 */
if ( file_exists( __DIR__ . '/ui/load.php' ) ) {
	require_once __DIR__ . '/ui/load.php';
}
