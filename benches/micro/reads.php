<?php
/**
 * One kind of room read, repeated: the workload `callgrind.sh` counts instructions of.
 *
 * Usage: php reads.php <mode> <reads> [entries]
 *   presence       presence_room() of a room shaped as the bridge writes it
 *   userland       the same rows built in PHP: six fields and a fresh three-key data array each,
 *                  the stored card reused (what a PHP cache hands back)
 *   userland-card  the same, with the `_wp` card built fresh too (what presence returns)
 *   presence-flat  presence_room() of rows with a flat four-key data array (the older bench)
 *   upsert         presence_upsert() with alternating data
 */
list( , $mode, $reads ) = $argv;
$reads   = (int) $reads;
$entries = (int) ( $argv[3] ?? 40 );
$room    = 'admin/online';

/**
 * The data array the bridge's Heartbeat writes for tab $i.
 */
function bridge_data( $i ) {
	return array(
		'screen'   => 0 === $i % 3 ? 'dashboard' : 'edit-post',
		'activity' => 0 === $i % 5 ? 'idle' : 'online',
		'_wp'      => array(
			'n' => "Editor $i",
			'a' => 'https://secure.gravatar.com/avatar/' . md5( "editor$i@example.org" ) . '?s=64&d=mm&r=g',
			'p' => '',
		),
	);
}

presence_clear();
$cards = array();
for ( $i = 0; $i < $entries; $i++ ) {
	if ( 'presence-flat' === $mode ) {
		$d = array( 'screen' => 'post', 'post_id' => 42, 'title' => 'Quarterly planning notes', 'tab' => $i );
	} else {
		$d = bridge_data( $i );
	}
	$cards[ $i ] = $d['_wp'] ?? array();
	presence_upsert( $room, "tab-$i-k3j9x2ab", $i + 1, $d, 600 );
}
$a = bridge_data( 1 );
$b = bridge_data( 2 );

switch ( $mode ) {
	case 'presence':
	case 'presence-flat':
		for ( $r = 0; $r < $reads; $r++ ) {
			$rows = presence_room( $room );
		}
		break;
	case 'userland':
		for ( $r = 0; $r < $reads; $r++ ) {
			$rows = array();
			for ( $j = 0; $j < $entries; $j++ ) {
				$rows[] = array( 'room' => $room, 'client_id' => "tab-$j-k3j9x2ab", 'user_id' => $j + 1, 'data' => array( 'screen' => 'dashboard', 'activity' => 'online', '_wp' => $cards[ $j ] ), 'updated' => 1, 'expires' => 2 );
			}
		}
		break;
	case 'userland-card':
		for ( $r = 0; $r < $reads; $r++ ) {
			$rows = array();
			for ( $j = 0; $j < $entries; $j++ ) {
				$c      = $cards[ $j ];
				$rows[] = array( 'room' => $room, 'client_id' => "tab-$j-k3j9x2ab", 'user_id' => $j + 1, 'data' => array( 'screen' => 'dashboard', 'activity' => 'online', '_wp' => array( 'n' => $c['n'], 'a' => $c['a'], 'p' => $c['p'] ) ), 'updated' => 1, 'expires' => 2 );
			}
		}
		break;
	case 'upsert':
		for ( $r = 0; $r < $reads; $r++ ) {
			presence_upsert( $room, 'tab-7-k3j9x2ab', 8, $r & 1 ? $a : $b, 600 );
		}
		break;
	default:
		fwrite( STDERR, "unknown mode $mode\n" );
		exit( 2 );
}
if ( 'upsert' !== $mode && $reads > 0 && count( $rows ) !== $entries ) {
	fwrite( STDERR, 'expected ' . $entries . ' rows, got ' . count( $rows ) . "\n" );
	exit( 1 );
}
