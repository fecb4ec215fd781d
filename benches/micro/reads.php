<?php
/**
 * One operation, repeated: the workload `callgrind.sh` counts instructions of. The room holds
 * entries as the bridge's Heartbeat writes them (see `bridge_data()`).
 *
 * Usage: php reads.php <mode> <calls> [entries]
 *   presence        presence_room() of the room
 *   userland        the same rows built in PHP: six fields, a fresh data array and card each
 *   userland-reuse  the same, with each user's card array reused (as a PHP cache hands it back)
 *   presence-flat   presence_room() of rows with a flat four-key data array (the older bench)
 *   upsert          presence_upsert() with data alternating between two bridge arrays
 */
require __DIR__ . '/workload.php';

list( , $mode, $calls ) = $argv;
$calls   = (int) $calls;
$entries = (int) ( $argv[3] ?? 40 );
$room    = 'admin/online';

presence_clear();
$cards = array();
for ( $i = 0; $i < $entries; $i++ ) {
	$d           = 'presence-flat' === $mode ? flat_data( $i ) : bridge_data( $i );
	$cards[ $i ] = bridge_data( $i )['_wp'];
	presence_upsert( $room, client_id( $i ), $i + 1, $d, 600 );
}
$a = bridge_data( 1 );
$b = bridge_data( 2 );

switch ( $mode ) {
	case 'presence':
	case 'presence-flat':
		for ( $r = 0; $r < $calls; $r++ ) {
			$rows = presence_room( $room );
		}
		break;
	case 'userland':
		for ( $r = 0; $r < $calls; $r++ ) {
			$rows = userland_rows( $room, $cards, $entries );
		}
		break;
	case 'userland-reuse':
		for ( $r = 0; $r < $calls; $r++ ) {
			$rows = userland_rows_reusing_cards( $room, $cards, $entries );
		}
		break;
	case 'upsert':
		for ( $r = 0; $r < $calls; $r++ ) {
			presence_upsert( $room, client_id( 7 ), 8, $r & 1 ? $a : $b, 600 );
		}
		break;
	default:
		fwrite( STDERR, "unknown mode $mode\n" );
		exit( 2 );
}
if ( 'upsert' !== $mode && $calls > 0 && count( $rows ) !== $entries ) {
	fwrite( STDERR, 'expected ' . $entries . ' rows, got ' . count( $rows ) . "\n" );
	exit( 1 );
}
