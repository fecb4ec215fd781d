<?php
/**
 * benches/e2e/users.php: bench users, posts, and logged-in sessions without a browser.
 *
 * Usage: php users.php SITE_DIR URL COUNT POSTS OUT.tsv
 *
 * - Creates (idempotently) COUNT editors bench0001…, with a fixed password hash (hashing 500
 *   passwords would take a minute and is not what we measure), and POSTS published posts.
 * - Logs each of them in: a fresh session token (WP_Session_Tokens), the auth and logged_in cookies
 *   from wp_generate_auth_cookie(), and wp_create_nonce( 'heartbeat-nonce' ) for that session.
 * - Writes OUT.tsv: user_id, cookie header, heartbeat nonce, post_id (0 = dashboard user, otherwise
 *   the post this user has open in the editor: every 10th user).
 *
 * Works with or without the presence extension loaded and with the bridge active or not.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 6 ) {
	fwrite( STDERR, "usage: php users.php SITE_DIR URL COUNT POSTS OUT.tsv\n" );
	exit( 2 );
}
list( , $site, $url, $count, $posts, $out ) = $argv;
$count = (int) $count;
$posts = (int) $posts;

$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/';
require rtrim( $site, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

global $wpdb;
// One bcrypt/phpass hash computed once, reused for every bench user (password "password").
$hash = wp_hash_password( 'password' );

$ids = array();
for ( $i = 1; $i <= $count; $i++ ) {
	$login = sprintf( 'bench%04d', $i );
	$user  = get_user_by( 'login', $login );
	if ( ! $user ) {
		$wpdb->insert(
			$wpdb->users,
			array(
				'user_login'      => $login,
				'user_pass'       => $hash,
				'user_nicename'   => $login,
				'user_email'      => $login . '@example.org',
				'user_registered' => gmdate( 'Y-m-d H:i:s' ),
				'display_name'    => sprintf( 'Bench Editor %d', $i ),
			)
		);
		$uid = (int) $wpdb->insert_id;
		clean_user_cache( $uid );
		$user = new WP_User( $uid );
		$user->set_role( 'editor' );
		update_user_meta( $uid, 'first_name', 'Bench' );
		update_user_meta( $uid, 'last_name', 'Editor ' . $i );
	}
	$ids[] = (int) $user->ID;
}

$post_ids = get_posts(
	array(
		'post_type'      => 'post',
		'post_status'    => 'publish',
		'meta_key'       => '_bench_post',
		'fields'         => 'ids',
		'posts_per_page' => -1,
		'orderby'        => 'ID',
		'order'          => 'ASC',
	)
);
for ( $i = count( $post_ids ); $i < $posts; $i++ ) {
	$post_ids[] = wp_insert_post(
		array(
			'post_title'   => sprintf( 'Bench post %d', $i + 1 ),
			'post_content' => 'Bench content.',
			'post_status'  => 'publish',
			'post_author'  => $ids[ $i % max( 1, count( $ids ) ) ] ?? 1,
			'meta_input'   => array( '_bench_post' => 1 ),
		)
	);
}

$fh = fopen( $out, 'w' );
$expiration = time() + 2 * DAY_IN_SECONDS;
foreach ( $ids as $n => $uid ) {
	$manager = WP_Session_Tokens::get_instance( $uid );
	$manager->destroy_all();
	$token     = $manager->create( $expiration );
	$auth      = wp_generate_auth_cookie( $uid, $expiration, 'auth', $token );
	$logged_in = wp_generate_auth_cookie( $uid, $expiration, 'logged_in', $token );
	// wp_create_nonce() ties the nonce to the session token it reads from the logged_in cookie.
	$_COOKIE[ LOGGED_IN_COOKIE ] = $logged_in;
	wp_set_current_user( $uid );
	$nonce  = wp_create_nonce( 'heartbeat-nonce' );
	$cookie = AUTH_COOKIE . '=' . rawurlencode( $auth ) . '; ' . LOGGED_IN_COOKIE . '=' . rawurlencode( $logged_in );
	$post   = ( $posts > 0 && 0 === $n % 10 ) ? (int) $post_ids[ intdiv( $n, 10 ) % count( $post_ids ) ] : 0;
	fwrite( $fh, "$uid\t$cookie\t$nonce\t$post\n" );
}
fclose( $fh );
fwrite( STDERR, sprintf( "users.php: %d users logged in, %d posts\n", count( $ids ), count( $post_ids ) ) );
