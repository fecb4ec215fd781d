<?php
/**
 * Admin UI loader: the one file the main plugin file requires for the UI.
 *
 * Loads the UI files and registers every UI hook, each with a note on its
 * priority. Everything renders from the bridge API (CONTRACT.md §2) and is
 * kept live by `assets/presence.js` through Heartbeat (CONTRACT.md §3).
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

if ( defined( 'WP_PRESENCE_UI_LOADED' ) ) {
	return;
}
define( 'WP_PRESENCE_UI_LOADED', true );

require_once __DIR__ . '/functions.php';
require_once __DIR__ . '/status.php';
require_once __DIR__ . '/admin-bar.php';
require_once __DIR__ . '/dashboard.php';
require_once __DIR__ . '/list-tables.php';
require_once __DIR__ . '/assets.php';
require_once __DIR__ . '/network-dashboard.php';

// Every hook below is a page's (widgets, columns, admin bar, scripts, the status picker's
// admin-post and Ajax actions): none fires on a Heartbeat tick, the most frequent request, so a
// tick does not register them. The functions above stay loaded: a tick's reply uses some.
if ( wp_presence_is_heartbeat_request() ) {
	return;
}

// Dashboard widgets; default priority, like core's own widgets.
add_action( 'wp_dashboard_setup', 'wp_presence_ui_dashboard_setup' );

// Network Admin: the network widget, and "Online" in the network Sites and Users lists; default priorities.
add_action( 'wp_network_dashboard_setup', 'wp_presence_ui_network_dashboard_setup' );
add_filter( 'wpmu_blogs_columns', 'wp_presence_ui_network_sites_columns' );
add_action( 'manage_sites_custom_column', 'wp_presence_ui_network_sites_column', 10, 2 );
add_filter( 'wpmu_users_columns', 'wp_presence_ui_network_users_columns' );
add_filter( 'manage_users_custom_column', 'wp_presence_ui_network_users_column', 10, 3 );

// Admin bar node. Priority 80: after core's own secondary items (My Account at 7, search at 9), so it sits left of them.
add_action( 'admin_bar_menu', 'wp_presence_ui_admin_bar_menu', 80 );

// Status picker: admin-post.php for links without JavaScript, admin-ajax.php for the script.
add_action( 'admin_post_wp_presence_status', 'wp_presence_ui_handle_status_post' );
add_action( 'wp_ajax_wp_presence_status', 'wp_presence_ui_handle_status_ajax' );

// "Editors" column; decided on load-edit.php, once the list's post type is known.
add_action( 'load-edit.php', 'wp_presence_ui_load_posts_list' );

// Users list: "Online (N)" view, its query, a notice for stale links, and a "Status" column.
add_filter( 'views_users', 'wp_presence_ui_users_views' );
add_filter( 'users_list_table_query_args', 'wp_presence_ui_users_query_args' );
add_action( 'load-users.php', 'wp_presence_ui_load_users_list' );
add_filter( 'manage_users_columns', 'wp_presence_ui_users_columns' );
add_filter( 'manage_users_custom_column', 'wp_presence_ui_users_column', 10, 3 );

// Script and styles in wp-admin and on the front end (for the admin bar).
add_action( 'admin_enqueue_scripts', 'wp_presence_ui_enqueue' );
add_action( 'wp_enqueue_scripts', 'wp_presence_ui_enqueue' );

// Settings for the script. Priority 1: before footer scripts print (admin_print_footer_scripts, wp_footer at 20).
add_action( 'admin_footer', 'wp_presence_ui_print_settings', 1 );
add_action( 'wp_footer', 'wp_presence_ui_print_settings', 1 );

/**
 * Hooks the stale-link notice on the Users screen only.
 *
 * @return void
 */
function wp_presence_ui_load_users_list() {
	add_action( 'admin_notices', 'wp_presence_ui_users_notice' );
}
