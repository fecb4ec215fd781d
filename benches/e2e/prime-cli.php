<?php
/**
 * benches/e2e/prime-cli.php: brings COUNT bench users online without a Heartbeat each, for runs
 * with thousands of users (over HTTP every priming tick would carry the whole, growing room).
 *
 * Usage (with the ini of php-fpm: same extension and segment, same Redis or database):
 *   scripts/stack/php.sh SITE_DIR prime-cli.php SITE_DIR URL USERS.tsv COUNT OUT_ACKS.tsv
 *
 * Writes each user's tab exactly as its first tick would (wp_presence_write_tab(): the same state,
 * card and hash, so the acks are the ones php-fpm computes), and for every 10th user, who has a post
 * open, the post-lock entry of the lock bridge too. OUT_ACKS.tsv: user_id, ack. With the bridge off
 * there is nothing to write and every ack is empty.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 6 ) {
	fwrite( STDERR, "usage: php prime-cli.php SITE_DIR URL USERS.tsv COUNT OUT_ACKS.tsv\n" );
	exit( 2 );
}
list( , $site, $url, $tsv, $count, $out ) = $argv;
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/';
require rtrim( $site, '/' ) . '/wp-load.php';

$fh = fopen( $out, 'w' );
$n  = 0;
foreach ( file( $tsv, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
	if ( $n >= (int) $count ) {
		break;
	}
	list( $uid, $cookie, , $post ) = explode( "\t", $line );
	// The session the HTTP ticks run under (its token is the third field of the auth cookie): the
	// card carries its tag (wp_presence_session_tag()), so the ack must be computed with it too.
	if ( preg_match( '/wordpress_logged_in_[0-9a-f]+=([^;]+)/', $cookie, $m ) ) {
		$parts = explode( '|', rawurldecode( $m[1] ) );
		if ( isset( $parts[2] ) ) {
			$GLOBALS['wp_presence_login_tokens'][ (int) $uid ] = $parts[2];
		}
	}
	$uid  = (int) $uid;
	$post = (int) $post;
	$ack  = '';
	if ( function_exists( 'wp_presence_write_tab' ) ) {
		wp_set_current_user( $uid );
		// The ping prime.php's HTTP priming sends (tab, screen, post).
		$written = wp_presence_write_tab(
			array(
				'tab'      => sprintf( 'tab%06d', $uid ),
				'screen'   => $post ? 'post' : 'dashboard',
				'post_id'  => $post,
				'activity' => 'online',
				'ack'      => '',
				'seen'     => array(),
			),
			$post ? 'post' : 'dashboard', // Heartbeat's screen id for that page.
			$uid,
			wp_presence_user_card( $uid )
		);
		$ack     = $written['ack'];
		if ( $post ) {
			wp_presence_post_lock_bridge(
				array( 'wp-refresh-post-lock' => array( 'new_lock' => 'bench' ) ),
				array( 'wp-refresh-post-lock' => array( 'post_id' => $post ) ),
				'post'
			);
		}
	}
	fwrite( $fh, $uid . "\t" . $ack . "\n" );
	++$n;
}
fclose( $fh );
fwrite( STDERR, "prime-cli.php: $n users online\n" );
