<?php
/**
 * Names of the namespaces derived from a site's (plain PHP, no WordPress calls), so that the
 * bridge and uninstall.php, which runs with the plugin inactive, agree on them.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The namespace derived from a site's namespace for one purpose: `{ns}~{suffix}`, within the
 * store's 64 bytes (a long namespace is cut and a hash of it appended, so two long namespaces
 * sharing a prefix never share a derived one).
 *
 * @since 1.2.0
 *
 * @param string $ns     Site namespace.
 * @param string $suffix Purpose, e.g. 'h' for invisible users' entries.
 * @return string
 */
function wp_presence_derived_namespace( $ns, $suffix ) {
	$ns     = (string) $ns;
	$suffix = '~' . (string) $suffix;
	if ( strlen( $ns ) + strlen( $suffix ) <= 64 ) {
		return $ns . $suffix;
	}
	return substr( $ns, 0, 64 - 14 - strlen( $suffix ) ) . $suffix . substr( md5( $ns ), 0, 14 );
}
