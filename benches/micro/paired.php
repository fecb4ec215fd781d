<?php
/**
 * The read target timed as pairs: a short burst of 40-entry presence_room() reads, then a burst
 * of userland building the same rows, repeated; the median of the per-pair ratios is far steadier
 * on a shared machine than a ratio of medians taken seconds apart.
 *
 * Usage: php paired.php [pairs] [entries]   (default 41 pairs of 40 entries); prints JSON.
 */
require __DIR__ . '/workload.php';

$pairs   = (int) ( $argv[1] ?? 41 );
$entries = (int) ( $argv[2] ?? 40 );
$room    = 'admin/online';
$burst   = max( 1, intdiv( 80000, $entries ) );
presence_clear();
$cards = array();
for ( $i = 0; $i < $entries; $i++ ) {
	$d           = bridge_data( $i );
	$cards[ $i ] = $d['_wp'];
	presence_upsert( $room, client_id( $i ), $i + 1, $d, 3600 );
}
$ratios = array();
$times  = array(
	'presence' => array(),
	'userland' => array(),
);
for ( $p = -1; $p < $pairs; $p++ ) { // Pair -1 warms up.
	$t = hrtime( true );
	for ( $r = 0; $r < $burst; $r++ ) {
		$rows = presence_room( $room );
	}
	$a = hrtime( true ) - $t;
	$t = hrtime( true );
	for ( $r = 0; $r < $burst; $r++ ) {
		$rows = userland_rows( $room, $cards, $entries );
	}
	$b = hrtime( true ) - $t;
	if ( $p >= 0 ) {
		$ratios[]            = $a / $b;
		$times['presence'][] = $a / $burst / 1000;
		$times['userland'][] = $b / $burst / 1000;
	}
}
$median = function ( $v ) {
	sort( $v );
	return $v[ intdiv( count( $v ), 2 ) ];
};
sort( $ratios );
echo json_encode(
	array(
		'pairs'    => $pairs,
		'entries'  => $entries,
		'median'   => $median( $ratios ),
		'q1'       => $ratios[ intdiv( count( $ratios ), 4 ) ],
		'q3'       => $ratios[ intdiv( 3 * count( $ratios ), 4 ) ],
		'presence' => $median( $times['presence'] ),
		'userland' => $median( $times['userland'] ),
	)
), "\n";
