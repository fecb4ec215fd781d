<?php
/**
 * presence_room() against presence_room_top() on a 5000-entry room, from php-cli: what a Heartbeat
 * tick that shows the first 20 users of `admin/online` pays with each.
 *
 * Usage: php -n -d extension=… -d presence.shm_path=… [ini…] top.php [rounds] [users]
 * (rounds: default 15; users: distinct users of the 5000 entries, default 5000). Prints µs per
 * call, the median of the rounds.
 */
$rounds = (int) ( $argv[1] ?? 15 );
$users  = (int) ( $argv[2] ?? 5000 );
$data   = array( 'screen' => 'dashboard', 'post_id' => 0, 'status' => 'online' );

/** µs per call of $fn(), $n calls, median of $rounds rounds. */
function per_call( $rounds, $n, $fn ) {
	$t = array();
	for ( $r = 0; $r < $rounds; $r++ ) {
		$s = hrtime( true );
		for ( $i = 0; $i < $n; $i++ ) {
			$fn();
		}
		$t[] = ( hrtime( true ) - $s ) / 1e3 / $n;
	}
	sort( $t );
	return $t[ intdiv( count( $t ), 2 ) ];
}

/** The first $n users of a room's rows, picked in PHP (what a view does with presence_room()). */
function pick_in_php( array $rows, $n ) {
	$newest = array();
	foreach ( $rows as $r ) {
		$u = $r['user_id'];
		if ( $u > 0 && ( ! isset( $newest[ $u ] ) || $r['updated'] > $newest[ $u ] ) ) {
			$newest[ $u ] = $r['updated'];
		}
	}
	arsort( $newest );
	$keep = array_slice( $newest, 0, $n, true );
	return array_filter( $rows, fn( $r ) => isset( $keep[ $r['user_id'] ] ) );
}

presence_clear();
for ( $i = 0; $i < 5000; $i++ ) {
	presence_upsert( 'admin/online', "tab-$i", $i % $users + 1, $data, 3600 );
}
$res = array(
	'entries'              => count( presence_room( 'admin/online' ) ),
	'users'                => presence_room_top( 'admin/online', 20 )['users'],
	'top_entries'          => count( presence_room_top( 'admin/online', 20 )['entries'] ),
	'room'                 => per_call( $rounds, 20, fn() => presence_room( 'admin/online' ) ),
	'room_pick_20_in_php'  => per_call( $rounds, 20, fn() => pick_in_php( presence_room( 'admin/online' ), 20 ) ),
	'room_top_20'          => per_call( $rounds, 200, fn() => presence_room_top( 'admin/online', 20 ) ),
	'room_top_20_and_user' => per_call( $rounds, 200, fn() => presence_room_top( 'admin/online', 20, 4321 % $users + 1 ) ),
	'room_top_1000'        => per_call( $rounds, 20, fn() => presence_room_top( 'admin/online', 1000 ) ),
);
foreach ( $res as $k => $v ) {
	printf( "%-22s %s\n", $k, is_float( $v ) ? number_format( $v, 1 ) . ' µs' : $v );
}
