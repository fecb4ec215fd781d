<?php
/**
 * benches/e2e/site.php: small site chores for the benchmark, run with php-cli.
 *
 * Usage: php site.php SITE_DIR URL activate|deactivate|backend
 *        php site.php SITE_DIR URL reset USERS.tsv
 *
 * - activate / deactivate: the bridge plugin (presence/presence.php).
 * - backend: prints wp_presence_backend() as php-cli sees it, or "off".
 * - reset: removes every presence entry of the bench users (wp_remove_user_presence), so a run
 *   starts with exactly the users it primes. Run it with the same ini as php-fpm (the extension
 *   and presence.shm_path, or neither for the SQL table) so it clears the store the run uses.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 4 ) {
	fwrite( STDERR, "usage: php site.php SITE_DIR URL activate|deactivate|backend|reset [USERS.tsv]\n" );
	exit( 2 );
}
list( , $site, $url, $cmd ) = $argv;
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/';
require rtrim( $site, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$plugin = 'presence/presence.php';
switch ( $cmd ) {
	case 'activate':
		if ( ! is_plugin_active( $plugin ) ) {
			$r = activate_plugin( $plugin );
			if ( is_wp_error( $r ) ) {
				fwrite( STDERR, 'activate_plugin: ' . $r->get_error_message() . "\n" );
				exit( 1 );
			}
		}
		break;
	case 'deactivate':
		deactivate_plugins( $plugin, true );
		break;
	case 'backend':
		echo function_exists( 'wp_presence_backend' ) ? wp_presence_backend() : 'off', "\n";
		break;
	case 'reset':
		if ( ! function_exists( 'wp_remove_user_presence' ) ) {
			break;
		}
		$n = 0;
		foreach ( file( $argv[4], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
			wp_remove_user_presence( (int) strtok( $line, "\t" ) );
			++$n;
		}
		fwrite( STDERR, "site.php: presence of $n users removed\n" );
		break;
	default:
		fwrite( STDERR, "unknown command $cmd\n" );
		exit( 2 );
}
