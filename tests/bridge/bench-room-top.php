<?php
/**
 * Times room() against room_top() on the site's store in php-cli, with many fake users online.
 *
 * Usage (MariaDB of tests/bridge/run.sh running, a pass's site left in .build/bridge-test/; for
 * the redis pass's site, its redis-server on 127.0.0.1:6391 too):
 *   php tests/bridge/bench-room-top.php SITE_DIR [USERS=500] [ROUNDS=200] [PICK=20]
 *
 * Writes one entry per user (a Heartbeat-sized card) in `admin/online`, then prints the median
 * and minimum of room( 'admin/online' ) and of room_top( 'admin/online', PICK, 1 ), and of
 * rooms( 'admin/online' ) and room_user_count() (the user count of a tick).
 *
 * @package Presence
 */

// phpcs:disable WordPress.WP.AlternativeFunctions, WordPress.WP.GlobalVariablesOverride

$site = isset( $argv[1] ) ? $argv[1] : '';
if ( ! is_file( $site . '/wp-load.php' ) ) {
	fwrite( STDERR, "usage: php bench-room-top.php SITE_DIR [USERS] [ROUNDS] [PICK]\n" );
	exit( 2 );
}
$users  = isset( $argv[2] ) ? max( 1, (int) $argv[2] ) : 500;
$rounds = isset( $argv[3] ) ? max( 1, (int) $argv[3] ) : 200;
$pick   = isset( $argv[4] ) ? max( 1, (int) $argv[4] ) : 20;

$_SERVER['HTTP_HOST']      = '127.0.0.1:8101';
$_SERVER['REQUEST_URI']    = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require $site . '/wp-load.php';

global $wpdb;
WP_Presence_Testing::reset();
$store   = wp_presence_store();
$room    = 'admin/online';
$screens = array( 'dashboard', 'edit-post', 'edit-page', 'upload', 'users', 'plugins', 'profile' );
for ( $i = 0; $i < $users; $i++ ) {
	$uid = 100000 + $i;
	$store->upsert(
		$room,
		'tab-' . $uid . '-benchtab1',
		$uid,
		array(
			'screen'   => $screens[ $i % count( $screens ) ],
			'activity' => 0 === $i % 7 ? 'idle' : 'online',
			'_wp'      => array(
				'u' => $uid,
				'n' => 'Bench user ' . $i,
				'a' => 'http://127.0.0.1/avatar/' . $i . '.png',
				'p' => '',
			),
		),
		600
	);
}

/**
 * Median and minimum of a callback's time, in ms.
 *
 * @param callable $fn     Callback.
 * @param int      $rounds Rounds.
 * @return string
 */
function presence_bench_time( callable $fn, $rounds ) {
	$times = array();
	for ( $r = 0; $r < $rounds; $r++ ) {
		$t0      = hrtime( true );
		$fn();
		$times[] = ( hrtime( true ) - $t0 ) / 1e6;
	}
	sort( $times );
	return sprintf( 'median %.3f ms, min %.3f ms', $times[ (int) ( count( $times ) / 2 ) ], $times[0] );
}

$top = $store->room_top( $room, $pick, 100000 );
printf( "backend %s, %d entries, %d rounds; room_top picks %d users (+1) and returns %d entries, users %d\n", wp_presence_backend(), count( $store->room( $room ) ), $rounds, $pick, count( $top['entries'] ), $top['users'] );
printf( "room():            %s\n", presence_bench_time( static fn() => $store->room( $room ), $rounds ) );
printf( "room_top(%d):      %s\n", $pick, presence_bench_time( static fn() => $store->room_top( $room, $pick, 100000 ), $rounds ) );
printf( "rooms(room):       %s\n", presence_bench_time( static fn() => $store->rooms( $room ), $rounds ) );
printf( "room_user_count(): %s\n", presence_bench_time( static fn() => $store->room_user_count( $room ), $rounds ) );
if ( 'sql' === wp_presence_backend() ) {
	$table = WP_Presence_Store_SQL::table();
	echo "EXPLAIN room_top:\n";
	$sql = $wpdb->prepare( "SELECT STRAIGHT_JOIN p.room FROM ( (SELECT t.user_id FROM {$table} t WHERE t.ns = %s AND t.room = %s AND t.expires > %d AND t.user_id > 0 GROUP BY t.user_id ORDER BY MAX(t.updated) DESC, t.user_id DESC LIMIT %d) UNION (SELECT %d AS user_id FROM DUAL WHERE %d > 0) ) f JOIN {$table} p ON p.ns = %s AND p.user_id = f.user_id AND p.room = %s AND p.expires > %d", $store->get_namespace(), $room, $store->now(), $pick, 100000, 100000, $store->get_namespace(), $room, $store->now() ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- own table; the FROM and JOIN of room_top().
	foreach ( (array) $wpdb->get_results( 'EXPLAIN ' . $sql, ARRAY_A ) as $row ) { // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.NotPrepared -- prepared above.
		printf( "  %s %s key=%s rows=%s %s\n", $row['select_type'], $row['table'], (string) $row['key'], $row['rows'], $row['Extra'] );
	}
}
WP_Presence_Testing::reset();
