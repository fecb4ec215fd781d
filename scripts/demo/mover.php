<?php
/**
 * scripts/demo/mover.php: keeps the demo's 40 editors moving while the demo runs.
 *
 * Usage: php seed.php … first, then (with the same ini as php-fpm, so the extension and
 *        presence.shm_path match and php-cli writes into the store php-fpm reads):
 *        scripts/stack/php.sh SITE_DIR scripts/demo/mover.php SITE_DIR URL READY_FILE
 *
 * Every MOVER_INTERVAL seconds (default 3) each editor "ticks" exactly as a browser tab does:
 * the bridge's own Heartbeat callback (`heartbeat_received`) runs as that user with a
 * `wp-presence` ping (tab, screen, post_id, activity, ack, seen), so the entries have the same shape
 * as real ones. Between ticks editors wander between admin screens and post editors, their activity
 * moves between online / idle / away, a few toggle "Do not disturb", and leaving an editor removes
 * its post-room entry the way the JS does on pagehide. If the bridge has no Heartbeat callback, it
 * falls back to wp_set_presence().
 * Touches READY_FILE after the first round. Stops on SIGTERM/SIGINT, or after MOVER_HOURS (8).
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 4 ) {
	fwrite( STDERR, "usage: php mover.php SITE_DIR URL READY_FILE\n" );
	exit( 2 );
}
list( , $site, $url, $ready ) = $argv;

// An admin-ajax-like context: the bridge registers its Heartbeat callbacks for admin requests.
define( 'WP_ADMIN', true );
define( 'DOING_AJAX', true );
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/wp-admin/admin-ajax.php';
$_SERVER['PHP_SELF']    = '/wp-admin/admin-ajax.php';
require rtrim( $site, '/' ) . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
do_action( 'admin_init' );

$interval = max( 1, (int) ( getenv( 'MOVER_INTERVAL' ) ?: 3 ) );
$deadline = time() + (int) ( 3600 * (float) ( getenv( 'MOVER_HOURS' ) ?: 8 ) );
$stop     = false;
if ( function_exists( 'pcntl_async_signals' ) ) {
	pcntl_async_signals( true );
	pcntl_signal( SIGTERM, function () use ( &$stop ) { $stop = true; } );
	pcntl_signal( SIGINT, function () use ( &$stop ) { $stop = true; } );
}

$editors = get_users(
	array(
		'role'    => 'editor',
		'orderby' => 'ID',
		'number'  => 40,
		'fields'  => 'ID',
	)
);
$editors = array_values( array_filter( array_map( 'intval', $editors ) ) );
$posts   = get_posts(
	array(
		'post_type'      => 'post',
		'post_status'    => array( 'publish', 'draft' ),
		'meta_key'       => '_presence_demo',
		'fields'         => 'ids',
		'posts_per_page' => -1,
	)
);
if ( ! $editors || ! $posts ) {
	fwrite( STDERR, "mover: run seed.php first\n" );
	exit( 1 );
}
$admin_screens = array( 'dashboard', 'dashboard', 'edit-post', 'edit-post', 'upload', 'users', 'profile', 'edit-comments', 'edit-page', 'options-general', 'themes', 'plugins', 'edit-category' );
$hb_callback   = has_filter( 'heartbeat_received' ) && function_exists( 'wp_presence_backend' );
if ( ! function_exists( 'wp_set_presence' ) ) {
	fwrite( STDERR, "mover: the bridge is not active (no wp_set_presence()); nothing to do\n" );
	touch( $ready );
	exit( 0 );
}
mt_srand( 7 );

/** Picks a weighted key. */
function presence_demo_pick( array $weights ) {
	$r = mt_rand( 1, array_sum( $weights ) );
	foreach ( $weights as $k => $w ) {
		$r -= $w;
		if ( $r <= 0 ) {
			return $k;
		}
	}
	return key( $weights );
}

// Initial spread: about 15 editors in post editors (some posts with 2-3 people), the rest on admin screens.
$state = array();
foreach ( $editors as $n => $uid ) {
	$in_post       = $n < 16;
	$state[ $uid ] = array(
		'tab'      => substr( md5( "demo-$uid-" . mt_rand() ), 0, 10 ),
		'screen'   => $in_post ? 'post' : $admin_screens[ $n % count( $admin_screens ) ],
		'post_id'  => $in_post ? (int) $posts[ ( $n * 7 ) % min( 9, count( $posts ) ) ] : 0,
		'activity' => presence_demo_pick( array( 'online' => 6, 'idle' => 2, 'away' => 1 ) ),
		'ack'      => '',
		'seen'     => array(),
		'seen_ap'  => null,
	);
}

/** One Heartbeat tick of one editor, through the bridge's own callback. */
function presence_demo_tick( $uid, array &$s, $hb_callback ) {
	wp_set_current_user( $uid );
	if ( $hb_callback ) {
		$ping = array(
			'tab'      => $s['tab'],
			'screen'   => $s['screen'],
			'activity' => $s['activity'],
			'seen'     => $s['seen'],
		);
		if ( $s['post_id'] ) {
			$ping['post_id'] = $s['post_id'];
		}
		if ( '' !== $s['ack'] ) {
			$ping['ack'] = $s['ack'];
		}
		if ( null !== $s['seen_ap'] ) {
			// Where the bridge reads it (CONTRACT §3), as assets/presence.js sends it.
			$ping['seen']['active_posts'] = $s['seen_ap'];
		}
		$data = array( 'wp-presence' => $ping );
		if ( $s['post_id'] ) {
			$data['wp-refresh-post-lock'] = array( 'post_id' => $s['post_id'] );
		}
		$response = apply_filters( 'heartbeat_received', array(), $data, $s['screen'] );
		$response = apply_filters( 'heartbeat_send', $response, $s['screen'] );
		$reply    = isset( $response['wp-presence'] ) && is_array( $response['wp-presence'] ) ? $response['wp-presence'] : array();
		if ( isset( $reply['ack'] ) ) {
			$s['ack'] = (string) $reply['ack'];
		}
		if ( ! empty( $reply['rooms'] ) ) {
			foreach ( $reply['rooms'] as $room => $r ) {
				if ( isset( $r['version'] ) ) {
					$s['seen'][ $room ] = $r['version'];
				}
			}
		}
		if ( isset( $reply['active_posts']['version'] ) ) {
			$s['seen_ap'] = $reply['active_posts']['version'];
		}
		return;
	}
	// Fallback: the public API.
	$entry = array( 'screen' => $s['screen'], 'activity' => $s['activity'], 'status' => $s['activity'] );
	if ( $s['post_id'] ) {
		$entry['post_id'] = $s['post_id'];
	}
	wp_set_presence( 'admin/online', "tab-$uid-{$s['tab']}", $entry, $uid );
	if ( $s['post_id'] && function_exists( 'wp_presence_post_room' ) && wp_presence_post_room( $s['post_id'] ) ) {
		wp_set_presence( wp_presence_post_room( $s['post_id'] ), "editor-$uid-{$s['tab']}", $entry, $uid );
	}
}

$round = 0;
while ( ! $stop && time() < $deadline ) {
	$t0 = microtime( true );
	foreach ( $state as $uid => &$s ) {
		if ( $round > 0 ) {
			// Wander: leave or open an editor, change admin screen.
			if ( mt_rand( 1, 100 ) <= 6 ) {
				if ( $s['post_id'] && function_exists( 'wp_presence_post_room' ) ) {
					$room = wp_presence_post_room( $s['post_id'] );
					$room && wp_remove_presence( $room, "editor-$uid-{$s['tab']}" ); // what pagehide does
				}
				if ( mt_rand( 1, 100 ) <= 40 ) {
					$s['screen']  = 'post';
					$s['post_id'] = (int) $posts[ mt_rand( 0, count( $posts ) - 1 ) ];
				} else {
					$s['screen']  = $admin_screens[ mt_rand( 0, count( $admin_screens ) - 1 ) ];
					$s['post_id'] = 0;
				}
			}
			// Activity: mostly online, sometimes idle or away.
			if ( mt_rand( 1, 100 ) <= 8 ) {
				$s['activity'] = presence_demo_pick( array( 'online' => 6, 'idle' => 3, 'away' => 2 ) );
			}
			// Now and then someone turns "Do not disturb" on or off.
			// (about 1 in 15 is on "Do not disturb" at any time)
			if ( function_exists( 'wp_set_user_presence_preference' ) ) {
				$is_dnd = 'dnd' === (string) get_user_meta( $uid, 'wp_presence_preference', true );
				if ( mt_rand( 1, 1000 ) <= ( $is_dnd ? 30 : 2 ) ) {
					wp_set_user_presence_preference( $uid, $is_dnd ? '' : 'dnd' );
				}
			}
		}
		try {
			presence_demo_tick( $uid, $s, $hb_callback );
		} catch ( Throwable $e ) {
			fwrite( STDERR, gmdate( 'H:i:s' ) . " mover: user $uid: " . $e->getMessage() . "\n" );
		}
		if ( $stop ) {
			break;
		}
	}
	unset( $s );
	if ( 0 === $round ) {
		touch( $ready );
		fwrite( STDERR, sprintf( "%s mover: %d editors online (%s), first round %.0f ms\n", gmdate( 'H:i:s' ), count( $state ), function_exists( 'wp_presence_backend' ) ? wp_presence_backend() : 'no bridge', 1000 * ( microtime( true ) - $t0 ) ) );
	}
	++$round;
	wp_cache_flush_runtime();
	$left = $interval - ( microtime( true ) - $t0 );
	while ( ! $stop && $left > 0 ) {
		usleep( (int) min( 200000, $left * 1e6 ) );
		$left -= 0.2;
	}
}
fwrite( STDERR, gmdate( 'H:i:s' ) . " mover: stopped after $round rounds\n" );
