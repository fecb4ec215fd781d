<?php
/**
 * Hooks of page loads only: activation, scripts, notices, menus, settings fields, the network
 * settings form, Site Health, the privacy tools, and the Ajax and admin-post actions other than
 * Heartbeat's.
 *
 * None of them fires on a Heartbeat tick (admin-ajax.php with action `heartbeat` runs only
 * `admin_init` and `wp_ajax_heartbeat`, and these admin_init callbacks return at once on Ajax),
 * so includes/load.php requires this file only outside ticks: a tick is the bridge's most
 * frequent request, and each hook registered costs it. The hooks are registered before
 * load.php's own, so callbacks sharing a hook and priority keep their order.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/*
 * Activation and upgrades.
 */
// Each register_*_hook() call runs plugin_basename() (regexes); plugins.php, WP-CLI and REST activate.
register_activation_hook( WP_PRESENCE_BRIDGE_FILE, 'wp_presence_activate' );
register_deactivation_hook( WP_PRESENCE_BRIDGE_FILE, 'wp_presence_deactivate' );
// The site options, autoloaded (the per-tick switch checks read them without a query).
register_activation_hook( WP_PRESENCE_BRIDGE_FILE, 'wp_presence_settings_activate' );
// Default priority: schema upgrades on admin page loads (not Ajax, so Heartbeat never checks the schema).
add_action( 'admin_init', 'wp_presence_admin_init_upgrade' );

/*
 * Collaboration (presence-api's JS surface).
 */
// Default priority: presence-api's JS surface, registered on admin pages and loaded in the block editor.
add_action( 'admin_enqueue_scripts', 'wp_presence_hooks_enqueue' );
add_action( 'enqueue_block_editor_assets', 'wp_presence_hooks_enqueue' );

/*
 * Heartbeat pages: the leave beacon and the tabs' coordinator.
 */
// Default priority: the leave beacon (sendBeacon on pagehide) gives the tab's entries a short grace.
add_action( 'wp_ajax_wp_presence_leave', 'wp_presence_ajax_leave' );
// Priority 11: after the UI enqueued its script (10), load the tabs' coordinator it depends on.
add_action( 'admin_enqueue_scripts', 'wp_presence_tabs_enqueue', 11 );
add_action( 'wp_enqueue_scripts', 'wp_presence_tabs_enqueue', 11 );

/*
 * Site owners: settings fields, pages and the network switch.
 */
// Default priority: the General checkbox and the Presence page's fields.
add_action( 'admin_init', 'wp_presence_settings_fields' );
// Default priority: admin page loads (not Ajax) repair an option saved without autoload.
add_action( 'admin_init', 'wp_presence_settings_autoload' );
// Default priority: Settings → Presence, and its network counterpart.
add_action( 'admin_menu', 'wp_presence_settings_menu' );
add_action( 'network_admin_menu', 'wp_presence_network_settings_menu' );
// Default priority: the network page's form posts to edit.php?action=wp_presence_network_settings.
add_action( 'network_admin_edit_' . WP_Presence_Settings_Page::NETWORK_ACTION, array( 'WP_Presence_Settings_Page', 'save_network' ) );
// Default priority: the network switch on Network Admin → Settings, and saving it (core checked the nonce).
add_action( 'wpmu_options', 'wp_presence_render_network_settings' );
add_action( 'update_wpmu_options', 'wp_presence_save_network_settings' );

/*
 * Privacy tools.
 */
// Default priority: the personal data exporter and eraser (Tools → Export/Erase Personal Data).
add_filter( 'wp_privacy_personal_data_exporters', 'wp_presence_register_privacy_exporter' );
add_filter( 'wp_privacy_personal_data_erasers', 'wp_presence_register_privacy_eraser' );

/*
 * The stale-screen warning.
 */
// Default priority: the page's key and rendered revision, and its script.
add_action( 'admin_enqueue_scripts', 'wp_presence_screen_enqueue' );

/*
 * Avatar fallback.
 */
// Default priority: the fallback script (in the head) and styles, in the admin and with the front-end admin bar.
add_action( 'admin_enqueue_scripts', 'wp_presence_avatars_enqueue' );
add_action( 'wp_enqueue_scripts', 'wp_presence_avatars_enqueue' );

/*
 * Admin notices and Site Health.
 */
// Default priority: a plain notice among the others.
add_action( 'admin_notices', 'wp_presence_backend_notice' );
// Default priority: the same notice on the network Plugins screen.
add_action( 'network_admin_notices', 'wp_presence_backend_notice' );
// Default priority: adds our test to Site Health.
add_filter( 'site_status_tests', 'wp_presence_site_status_tests' );
// The notice's dismissal (Ajax and admin-post handlers; priorities in includes/admin.php).
wp_presence_admin_hooks();
