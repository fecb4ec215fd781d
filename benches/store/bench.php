<?php
/**
 * The store under load, from php-cli: reads of big rooms, room versions, changes-since, and
 * throughput of 1, 2, 4 and 8 writer processes on one room and on separate rooms.
 *
 * Usage: php -d extension=… -d presence.shm_path=… bench.php <label> <rounds> <out.json> [big]
 * With "big", also the 20 000-entry room (a build whose rooms cannot outgrow a shard skips it).
 */
$label  = $argv[1];
$rounds = (int) $argv[2];
$out    = $argv[3];
$big    = ( $argv[4] ?? '' ) === 'big';
$data_a = array( 'screen' => 'dashboard', 'post_id' => 0, 'status' => 'online' );
$data_b = array( 'screen' => 'post', 'post_id' => 42, 'status' => 'online' );

/** Median of a list of numbers. */
function median( array $v ) {
	sort( $v );
	return $v[ intdiv( count( $v ), 2 ) ];
}

/** µs per call of $fn($i), $n calls, median of $rounds rounds. */
function per_call( $rounds, $n, $fn ) {
	$t = array();
	for ( $r = 0; $r < $rounds; $r++ ) {
		$s = hrtime( true );
		for ( $i = 0; $i < $n; $i++ ) {
			$fn( $i );
		}
		$t[] = ( hrtime( true ) - $s ) / 1e3 / $n;
	}
	return median( $t );
}

/** Fills $room with $n entries tab-0 … tab-(n-1). */
function fill( $room, $n, $data ) {
	for ( $i = 0; $i < $n; $i++ ) {
		presence_upsert( $room, "tab-$i", $i % 997, $data, 3600 );
	}
}

$res = array( 'label' => $label );
presence_clear();
fill( 'admin/online', 5000, $data_a );
fill( 'postType/post:1', 40, $data_a );
$res['read_5000']      = per_call( $rounds, 20, fn( $i ) => presence_room( 'admin/online' ) );
if ( function_exists( 'presence_room_top' ) ) {
	// What a Heartbeat tick showing the first 20 users needs, without the other entries' arrays.
	$res['top20_5000'] = per_call( $rounds, 200, fn( $i ) => presence_room_top( 'admin/online', 20 ) );
}
$res['version_5000']   = per_call( $rounds, 2000, fn( $i ) => presence_room_version( 'admin/online' ) );
$res['refresh_5000']   = per_call( $rounds, 5000, fn( $i ) => presence_upsert( 'admin/online', 'tab-' . ( $i * 7 % 5000 ), ( $i * 7 % 5000 ) % 997, $GLOBALS['data_a'], 3600 ) );
$res['read_40']        = per_call( $rounds, 2000, fn( $i ) => presence_room( 'postType/post:1' ) );
$res['change_40']      = per_call( $rounds, 5000, fn( $i ) => presence_upsert( 'postType/post:1', 'tab-' . ( $i % 40 ), $i % 40, $i & 1 ? $GLOBALS['data_b'] : $GLOBALS['data_a'], 3600 ) );
if ( function_exists( 'presence_changes' ) ) {
	$v = presence_room_version( 'admin/online' );
	$res['changes_none_5000'] = per_call( $rounds, 2000, fn( $i ) => presence_changes( 'admin/online', $v ) );
	// 1 % of the room changes (50 tabs), as on a busy site between two ticks of one client.
	for ( $i = 0; $i < 50; $i++ ) {
		presence_upsert( 'admin/online', 'tab-' . ( $i * 97 ), ( $i * 97 ) % 997, $data_b, 3600 );
	}
	$res['changes_50_of_5000']       = per_call( $rounds, 500, fn( $i ) => presence_changes( 'admin/online', $v ) );
	$res['changes_50_of_5000_users'] = per_call( $rounds, 200, fn( $i ) => presence_changes( 'admin/online', $v, true ) );
	$res['changes_50_rows']          = count( presence_changes( 'admin/online', $v )['changed'] );
}
if ( $big ) {
	presence_clear();
	fill( 'admin/online', 20000, $data_a );
	$res['read_20000']    = per_call( $rounds, 5, fn( $i ) => presence_room( 'admin/online' ) );
	$res['version_20000'] = per_call( $rounds, 2000, fn( $i ) => presence_room_version( 'admin/online' ) );
	$res['refresh_20000'] = per_call( $rounds, 5000, fn( $i ) => presence_upsert( 'admin/online', 'tab-' . ( $i * 7 % 20000 ), ( $i * 7 % 20000 ) % 997, $GLOBALS['data_a'], 3600 ) );
	$v                    = presence_room_version( 'admin/online' );
	for ( $i = 0; $i < 50; $i++ ) {
		presence_upsert( 'admin/online', 'tab-' . ( $i * 397 ), 1, $data_b, 3600 );
	}
	$res['changes_50_of_20000'] = per_call( $rounds, 500, fn( $i ) => presence_changes( 'admin/online', $v ) );
}

/**
 * Total upserts per second of $procs processes writing for $secs seconds, each a change (the data
 * alternates) of one of its 250 entries, or with $refresh the same data again (a keepalive), in
 * one shared room or in a room of its own.
 */
function writers( $procs, $shared, $secs, $refresh = false ) {
	presence_clear();
	if ( $shared ) {
		fill( 'admin/online', 5000, $GLOBALS['data_a'] );
	}
	$dir   = sys_get_temp_dir() . '/presence-bench-' . getmypid();
	@mkdir( $dir );
	$start = microtime( true ) + 0.3;
	$pids  = array();
	for ( $p = 0; $p < $procs; $p++ ) {
		$pid = pcntl_fork();
		if ( 0 === $pid ) {
			$room = $shared ? 'admin/online' : "room-$p";
			$a    = $GLOBALS['data_a'];
			$b    = $GLOBALS['data_b'];
			while ( microtime( true ) < $start ) {
				usleep( 1000 );
			}
			$end = $start + $secs;
			$n   = 0;
			while ( true ) {
				for ( $k = 0; $k < 250; $k++ ) {
					presence_upsert( $room, 'tab-' . ( $p * 250 + $k ), $p, ( $n & 1 ) && ! $refresh ? $b : $a, 3600 );
				}
				$n += 250;
				if ( microtime( true ) >= $end ) {
					break;
				}
			}
			file_put_contents( "$dir/$p", (string) $n );
			exit( 0 );
		}
		$pids[] = $pid;
	}
	foreach ( $pids as $pid ) {
		pcntl_waitpid( $pid, $st );
	}
	$total = 0;
	for ( $p = 0; $p < $procs; $p++ ) {
		$total += (int) file_get_contents( "$dir/$p" );
		unlink( "$dir/$p" );
	}
	rmdir( $dir );
	return $total / $secs;
}

foreach ( array( 1, 2, 4, 8 ) as $procs ) {
	foreach ( array( 'one_room' => array( true, false ), 'own_rooms' => array( false, false ), 'one_room_refresh' => array( true, true ) ) as $name => list( $shared, $refresh ) ) {
		$v = array();
		for ( $r = 0; $r < max( 1, intdiv( $rounds, 2 ) ); $r++ ) {
			$v[] = writers( $procs, $shared, 1.0, $refresh );
		}
		$res[ "writers_{$procs}_{$name}" ] = median( $v );
	}
}
presence_clear();
file_put_contents( $out, json_encode( $res, JSON_PRETTY_PRINT ) );
echo json_encode( $res, JSON_PRETTY_PRINT ), "\n";
