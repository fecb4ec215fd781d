<?php
/**
 * Plugins written for presence-api declare `Requires Plugins: presence-api` in their header;
 * WordPress (6.5+) then only activates them while a plugin with that slug is active. The bridge
 * answers for that slug.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The bridge's own slug: the directory it is installed in, or '' for a single-file install.
 *
 * @since 1.3.0
 *
 * @return string
 */
function wp_presence_bridge_slug() {
	$dir = dirname( plugin_basename( WP_PRESENCE_BRIDGE_FILE ) );
	return '.' === $dir ? '' : $dir;
}

/**
 * Maps the dependency slug `presence-api` onto the bridge's own slug, so a plugin requiring
 * presence-api counts its dependency as met (and installed) while the bridge is.
 *
 * Hooked to `wp_plugin_dependencies_slug`. Installing the bridge in a directory named
 * `presence-api` needs no mapping (the slug is then its own).
 *
 * @since 1.3.0
 *
 * @param string $slug A slug from a `Requires Plugins` header.
 * @return string
 */
function wp_presence_dependency_slug( $slug ) {
	$own = wp_presence_bridge_slug();
	if ( 'presence-api' !== $slug || '' === $own ) {
		return $slug;
	}
	/**
	 * Filters whether the bridge stands in for presence-api in other plugins' `Requires Plugins`.
	 *
	 * @since 1.3.0
	 *
	 * @param bool $stand_in Default true.
	 */
	return apply_filters( 'wp_presence_stands_in_for_presence_api', true ) ? $own : $slug;
}
