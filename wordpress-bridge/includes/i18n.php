<?php
/**
 * Translations.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Loads the `presence` text domain from the plugin's languages/ folder (WordPress.org language
 * packs in wp-content/languages/plugins/ take precedence).
 *
 * Hooked to `init`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_load_textdomain() {
	load_plugin_textdomain( 'presence', false, dirname( plugin_basename( WP_PRESENCE_BRIDGE_FILE ) ) . '/languages' );
}
