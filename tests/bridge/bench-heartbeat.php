<?php
/**
 * Times the `wp-presence` Heartbeat callback in php-cli with many fake users online.
 *
 * Usage (MariaDB of tests/bridge/run.sh running, a pass's site left in .build/bridge-test/):
 *   php [-d extension=… -d presence.shm_path=/dev/shm/presence-bench -d presence.debug_clock=1] \
 *     tests/bridge/bench-heartbeat.php SITE_DIR [USERS=500] [ROUNDS=30]
 *
 * Entries carry display cards, so the users need not exist; every 10th user edits one of 20
 * posts. The viewer is user 1 (administrator) on the dashboard. Prints the median time and the
 * queries of one full tick (no `seen`) and of one steady tick (ack and versions current).
 * Every round starts from cold object and bridge caches, as a new request would.
 *
 * @package Presence
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.WP.GlobalVariablesOverride

$site = isset( $argv[1] ) ? $argv[1] : '';
if ( ! is_file( $site . '/wp-load.php' ) ) {
	fwrite( STDERR, "usage: php bench-heartbeat.php SITE_DIR [USERS] [ROUNDS]\n" );
	exit( 2 );
}
$users  = isset( $argv[2] ) ? max( 1, (int) $argv[2] ) : 500;
$rounds = isset( $argv[3] ) ? max( 1, (int) $argv[3] ) : 30;

$_SERVER['HTTP_HOST']      = '127.0.0.1:8101';
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require $site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';

global $wpdb;
$wpdb->query( 'SET autocommit = 0' );
$wpdb->query( 'START TRANSACTION' );
WP_Presence_Testing::reset();

$posts = array();
for ( $i = 0; $i < 20; $i++ ) {
	$posts[] = wp_insert_post(
		array(
			'post_title'  => 'Bench post ' . $i,
			'post_status' => 'publish',
			'post_author' => 1,
		)
	);
}
$screens = array( 'dashboard', 'edit-post', 'edit-page', 'upload', 'users', 'plugins', 'profile', 'edit-comments', 'themes', 'options-general' );
$store   = wp_presence_store();
for ( $i = 0; $i < $users; $i++ ) {
	$uid   = 100000 + $i;
	$state = array(
		'screen'   => $screens[ $i % count( $screens ) ],
		'activity' => 0 === $i % 7 ? 'idle' : 'online',
		'_wp'      => array(
			'u' => $uid, // A card is only believed for the user it names.
			'n' => 'Bench user ' . $i,
			'a' => 'http://127.0.0.1/avatar/' . $i . '.png',
			'p' => '',
		),
	);
	if ( 0 === $i % 10 ) {
		$state['screen']  = 'post';
		$state['post_id'] = $posts[ ( $i / 10 ) % 20 ];
		$store->upsert( wp_presence_post_room( $state['post_id'] ), 'editor-' . $uid . '-benchtab1', $uid, $state, 150 );
	}
	$store->upsert( 'admin/online', 'tab-' . $uid . '-benchtab1', $uid, $state, 150 );
}

/**
 * One tick from a cold request state.
 *
 * @param array $ping wp-presence payload.
 * @return array [seconds, queries, reply]
 */
function presence_bench_tick( array $ping ) {
	global $wpdb;
	wp_cache_flush();
	wp_load_alloptions();
	WP_Presence_Testing::reset_caches();
	wp_set_current_user( 0 );
	wp_set_current_user( 1 );
	current_user_can( 'read' );
	$q0    = $wpdb->num_queries;
	$t0    = hrtime( true );
	$reply = wp_presence_heartbeat_received( array(), array( 'wp-presence' => $ping ), 'dashboard' );
	$t1    = hrtime( true );
	return array( ( $t1 - $t0 ) / 1e9, $wpdb->num_queries - $q0, $reply['wp-presence'] );
}

$base  = array(
	'tab'      => 'benchview1',
	'screen'   => 'dashboard',
	'activity' => 'online',
);
$first = presence_bench_tick( $base )[2];
if ( count( $first['rooms']['admin/online']['users'] ) < $users ) {
	fwrite( STDERR, 'only ' . count( $first['rooms']['admin/online']['users'] ) . " users in the reply\n" );
}
if ( getenv( 'PRESENCE_BENCH_DUMP' ) ) {
	file_put_contents( getenv( 'PRESENCE_BENCH_DUMP' ), wp_json_encode( $first, JSON_PRETTY_PRINT ) );
}
$steady_ping = $base + array(
	'ack'  => $first['ack'],
	'seen' => array(
		'admin/online' => (string) $first['rooms']['admin/online']['version'],
		'active_posts' => (string) $first['active_posts']['version'],
	),
);

$results = array();
foreach ( array( 'full' => $base, 'steady' => $steady_ping ) as $name => $ping ) {
	$times = array();
	$qs    = 0;
	for ( $r = 0; $r < $rounds; $r++ ) {
		list( $sec, $qs, $reply ) = presence_bench_tick( $ping );
		$times[]                  = $sec;
	}
	sort( $times );
	$results[ $name ] = sprintf( '%s: median %.2f ms, min %.2f ms, %d queries, %d bytes', $name, 1000 * $times[ (int) ( count( $times ) / 2 ) ], 1000 * $times[0], $qs, strlen( (string) wp_json_encode( $reply ) ) );
}
printf( "backend %s, %d users, %d rounds\n%s\n", wp_presence_backend(), $users, $rounds, implode( "\n", $results ) );

WP_Presence_Testing::reset();
$wpdb->query( 'ROLLBACK' );
