<?php
/**
 * The entries and the userland baselines shared by bench.php (timing) and reads.php (callgrind).
 */

/**
 * The client id the bridge gives tab $i of user $i + 1.
 */
function client_id( $i ) {
	return 'tab-' . ( $i + 1 ) . '-k3j9x2ab';
}

/**
 * The data array the bridge's Heartbeat writes for tab $i: screen, activity and the user card
 * (display name, avatar URL, preference), about 150 bytes as JSON.
 */
function bridge_data( $i ) {
	return array(
		'screen'   => 0 === $i % 3 ? 'dashboard' : 'edit-post',
		'activity' => 0 === $i % 5 ? 'idle' : 'online',
		'_wp'      => array(
			'n' => 'Editor ' . ( $i + 1 ),
			'a' => 'https://secure.gravatar.com/avatar/' . md5( "editor$i@example.org" ) . '?s=64&d=mm&r=g',
			'p' => '',
		),
	);
}

/**
 * The flat data of the bench before the bridge stored cards (kept for comparison).
 */
function flat_data( $i ) {
	return array( 'screen' => 'post', 'post_id' => 42, 'title' => 'Quarterly planning notes', 'tab' => $i );
}

/**
 * The rows presence_room() returns, built in PHP from values at hand: six fields, a fresh data
 * array and a fresh card each (the card's strings are reused, not copied).
 */
function userland_rows( $room, $cards, $n ) {
	$rows = array();
	for ( $j = 0; $j < $n; $j++ ) {
		$c      = $cards[ $j ];
		$u      = $j + 1;
		$rows[] = array(
			'room'      => $room,
			'client_id' => "tab-$u-k3j9x2ab",
			'user_id'   => $u,
			'data'      => array(
				'screen'   => 'dashboard',
				'activity' => 'online',
				'_wp'      => array( 'n' => $c['n'], 'a' => $c['a'], 'p' => $c['p'] ),
			),
			'updated'   => 1,
			'expires'   => 2,
		);
	}
	return $rows;
}

/**
 * The same rows with each card array itself reused (one reference each), as a PHP cache that
 * keeps the cards decoded would hand them back.
 */
function userland_rows_reusing_cards( $room, $cards, $n ) {
	$rows = array();
	for ( $j = 0; $j < $n; $j++ ) {
		$u      = $j + 1;
		$rows[] = array(
			'room'      => $room,
			'client_id' => "tab-$u-k3j9x2ab",
			'user_id'   => $u,
			'data'      => array(
				'screen'   => 'dashboard',
				'activity' => 'online',
				'_wp'      => $cards[ $j ],
			),
			'updated'   => 1,
			'expires'   => 2,
		);
	}
	return $rows;
}
