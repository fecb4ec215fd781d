<?php
/**
 * Helper of scripts/wp/make-site.sh: installs WordPress from PHP.
 *
 * Usage: php install-site.php install|network|activate SITE_DIR URL
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 4 ) {
	fwrite( STDERR, "usage: php install-site.php install|network|activate SITE_DIR URL\n" );
	exit( 2 );
}

list( , $presence_step, $presence_site, $presence_url ) = $argv;
$presence_url = rtrim( $presence_url, '/' );

if ( 'activate' !== $presence_step ) {
	define( 'WP_INSTALLING', true );
}
if ( 'network' === $presence_step ) {
	define( 'WP_INSTALLING_NETWORK', true );
}
// wp_die() (for example "Error establishing a database connection") exits with status 0: make it fail.
$presence_done = false;
register_shutdown_function(
	static function () use ( &$presence_done ) {
		if ( ! $presence_done ) {
			fwrite( STDERR, "\ninstall-site.php: WordPress stopped before the step finished\n" );
			exit( 1 );
		}
	}
);
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $presence_url );
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = preg_replace( '#:\d+$#', '', $_SERVER['HTTP_HOST'] );
$_SERVER['SERVER_PORT'] = preg_match( '#:(\d+)$#', $_SERVER['HTTP_HOST'], $presence_m ) ? $presence_m[1] : '80';

require rtrim( $presence_site, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

switch ( $presence_step ) {
	case 'install':
		add_filter( 'pre_wp_mail', '__return_false' ); // No mail from a test install.
		if ( ! is_blog_installed() ) {
			$presence_result = wp_install( 'Presence', 'admin', 'admin@example.org', true, '', 'password' );
			if ( empty( $presence_result['user_id'] ) ) {
				fwrite( STDERR, "wp_install failed\n" );
				$presence_done = true;
				exit( 1 );
			}
		}
		update_option( 'siteurl', $presence_url );
		update_option( 'home', $presence_url );
		update_option( 'permalink_structure', '/%postname%/' );
		break;

	case 'network':
		require_once ABSPATH . 'wp-admin/includes/network.php';
		// As wp-admin/network.php does: name the network tables before creating them.
		foreach ( $wpdb->tables( 'ms_global' ) as $presence_table => $presence_prefixed ) {
			$wpdb->$presence_table = $presence_prefixed;
		}
		install_network();
		$presence_host = (string) wp_parse_url( $presence_url, PHP_URL_HOST );
		$presence_port = wp_parse_url( $presence_url, PHP_URL_PORT );
		$presence_path = (string) wp_parse_url( $presence_url, PHP_URL_PATH );
		$presence_path = trailingslashit( $presence_path ? $presence_path : '/' );
		$presence_result = populate_network( 1, $presence_host . ( $presence_port ? ':' . $presence_port : '' ), 'admin@example.org', 'Presence Network', $presence_path, false );
		if ( is_wp_error( $presence_result ) && 'siteid_exists' !== $presence_result->get_error_code() ) {
			fwrite( STDERR, 'populate_network failed: ' . $presence_result->get_error_message() . "\n" );
			$presence_done = true;
			exit( 1 );
		}
		break;

	case 'activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$presence_network = is_multisite();
		if ( $presence_network ? ! is_plugin_active_for_network( 'presence/presence.php' ) : ! is_plugin_active( 'presence/presence.php' ) ) {
			$presence_result = activate_plugin( 'presence/presence.php', '', $presence_network );
			if ( is_wp_error( $presence_result ) ) {
				fwrite( STDERR, 'activate_plugin failed: ' . $presence_result->get_error_message() . "\n" );
				$presence_done = true;
				exit( 1 );
			}
		}
		break;

	default:
		fwrite( STDERR, "unknown step\n" );
		$presence_done = true;
		exit( 2 );
}
$presence_done = true;
exit( 0 );
