<?php
/**
 * PHPUnit bootstrap: loads the WordPress site run.sh created (fresh database, bridge active).
 *
 * Environment:
 *   PRESENCE_TEST_SITE       WordPress root (required)
 *   PRESENCE_TEST_URL        its URL (http://127.0.0.1:8101)
 *   PRESENCE_TEST_BACKEND    'extension' or 'sql': the backend this pass must run on
 *   PRESENCE_TEST_MULTISITE  1 for the multisite pass
 *   PRESENCE_TEST_HTTP       1 when run.sh started php-fpm + nginx on PRESENCE_TEST_URL
 *
 * @package Presence
 */

// PHPUnit includes this file from inside a method: name the globals WordPress expects.
// phpcs:ignore WordPress.WP.GlobalVariablesOverride
global $wpdb, $wp, $wp_rewrite, $wp_query, $wp_the_query, $current_site, $current_blog, $wp_filter, $wp_actions,
	$wp_current_filter, $post, $table_prefix, $wp_roles, $wp_plugin_paths, $wp_theme_directories, $shortcode_tags,
	$wp_locale, $wp_embed, $wp_widget_factory, $pagenow, $blog_id, $wp_scripts, $wp_styles, $wp_version,
	$wp_db_version, $wp_rest_server, $wp_object_cache, $current_user, $wp_post_types, $_wp_post_type_features;

$presence_site = getenv( 'PRESENCE_TEST_SITE' );
if ( ! $presence_site || ! is_file( $presence_site . '/wp-load.php' ) ) {
	fwrite( STDERR, "PRESENCE_TEST_SITE must name a WordPress root (run tests/bridge/run.sh)\n" );
	exit( 1 );
}
$presence_url            = getenv( 'PRESENCE_TEST_URL' ) ? getenv( 'PRESENCE_TEST_URL' ) : 'http://127.0.0.1:8101';
$_SERVER['HTTP_HOST']    = (string) parse_url( $presence_url, PHP_URL_HOST ) . ( parse_url( $presence_url, PHP_URL_PORT ) ? ':' . parse_url( $presence_url, PHP_URL_PORT ) : '' );
$_SERVER['SERVER_NAME']  = (string) parse_url( $presence_url, PHP_URL_HOST );
$_SERVER['REQUEST_URI']  = '/';
$_SERVER['SERVER_PORT']  = (string) ( parse_url( $presence_url, PHP_URL_PORT ) ? parse_url( $presence_url, PHP_URL_PORT ) : 80 );
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR']  = '127.0.0.1';

// Test mode: the store clock may move, and WP_Presence_Testing loads (run.sh also sets it in the
// site's wp-config-extra.php, for php-fpm and the tests' subprocesses).
defined( 'WP_PRESENCE_TESTING' ) || define( 'WP_PRESENCE_TESTING', true );

require $presence_site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
if ( is_multisite() ) {
	require_once ABSPATH . 'wp-admin/includes/ms.php';
}

if ( ! defined( 'WP_PRESENCE_BRIDGE_VERSION' ) ) {
	fwrite( STDERR, "The bridge is not active on the test site.\n" );
	exit( 1 );
}
// What a plugin author's bootstrap does when its config does not define WP_PRESENCE_TESTING.
require_once WP_PRESENCE_BRIDGE_DIR . '/includes/class-wp-presence-testing.php';
$presence_want = getenv( 'PRESENCE_TEST_BACKEND' );
if ( $presence_want && wp_presence_backend() !== $presence_want ) {
	fwrite( STDERR, sprintf( "This pass expects the %s backend, but the bridge chose %s: %s\n", $presence_want, wp_presence_backend(), wp_presence_backend_reason() ) );
	exit( 1 );
}
fwrite( STDOUT, sprintf( "Bridge tests: WordPress %s, backend %s, %s, namespace %s\n", $wp_version, wp_presence_backend(), is_multisite() ? 'multisite' : 'single site', wp_presence_store()->get_namespace() ) );

require_once __DIR__ . '/includes/class-presence-testcase.php';
require_once __DIR__ . '/includes/wp-cli-stand-in.php';
