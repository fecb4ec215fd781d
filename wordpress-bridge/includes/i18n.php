<?php
/**
 * Translations.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * Loads the `presence` text domain from the plugin's languages/ folder (WordPress.org language
 * packs in wp-content/languages/plugins/ take precedence), for the locale of the request.
 *
 * Hooked to `init`.
 *
 * @since 1.1.0
 *
 * @return void
 */
function wp_presence_load_textdomain() {
	wp_presence_select_textdomain( determine_locale() );
}

/**
 * Whether a translation of the `presence` domain exists for a locale, where load_textdomain()
 * looks: a language pack in wp-content/languages/plugins/ or the plugin's languages/ folder,
 * as .l10n.php or .mo.
 *
 * @since 1.4.0
 *
 * @param string $locale Locale.
 * @return bool
 */
function wp_presence_has_translation( $locale ) {
	foreach ( array( WP_LANG_DIR . '/plugins', WP_PRESENCE_BRIDGE_DIR . '/languages' ) as $dir ) {
		if ( is_file( "$dir/presence-$locale.l10n.php" ) || is_file( "$dir/presence-$locale.mo" ) ) {
			return true;
		}
	}
	return false;
}

/**
 * Makes the `presence` domain load for a locale that has a translation, and marks it unloaded
 * for one that has none (as unload_textdomain() does). Unloaded, __() answers the English text,
 * still through the `gettext` filters, without WordPress looking for the domain's files on the
 * request's first string: that look-up (a glob of two language folders, then the file
 * checks) cost every Heartbeat tick about as much as a changed row.
 *
 * Hooked to `change_locale` too (switch_to_locale(), restore_previous_locale()).
 *
 * @since 1.4.0
 *
 * @param string $locale Locale.
 * @return void
 */
function wp_presence_select_textdomain( $locale ) {
	global $l10n_unloaded;
	$l10n_unloaded = (array) $l10n_unloaded;
	if ( wp_presence_has_translation( (string) $locale ) ) {
		unset( $l10n_unloaded['presence'] );
		load_plugin_textdomain( 'presence', false, dirname( plugin_basename( WP_PRESENCE_BRIDGE_FILE ) ) . '/languages' );
		return;
	}
	$l10n_unloaded['presence'] = true;
}
