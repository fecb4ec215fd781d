<?php
/**
 * Per-call cost from PHP: the presence extension against APCu (one array per room) and a MariaDB
 * table used the way presence-api uses it. All in one process, rounds interleaved, medians kept.
 *
 * Usage: php bench.php <mysqli socket> <rounds>
 */
$socket = $argv[1];
$rounds = (int) ( $argv[2] ?? 7 );
$room   = 'postType/post:42';
$data   = array( 'screen' => 'post', 'post_id' => 42, 'title' => 'Quarterly planning notes' );
$json   = json_encode( $data );
printf( "data: %d bytes of JSON\n", strlen( $json ) );

// ---- setup --------------------------------------------------------------------------------
$db = new mysqli( null, 'root', '', '', 0, $socket );
$db->query( 'CREATE DATABASE IF NOT EXISTS presence_bench' );
$db->select_db( 'presence_bench' );
$db->query( 'DROP TABLE IF EXISTS wp_presence' );
$db->query(
	'CREATE TABLE wp_presence (
		id bigint unsigned NOT NULL AUTO_INCREMENT,
		room varchar(191) NOT NULL, client_id varchar(191) NOT NULL,
		user_id bigint unsigned NOT NULL DEFAULT 0, data text NOT NULL,
		date_gmt datetime NOT NULL,
		PRIMARY KEY (id), UNIQUE KEY room_client (room, client_id), KEY date_gmt (date_gmt)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'
);
$sql_upsert = $db->prepare( 'INSERT INTO wp_presence (room, client_id, user_id, data, date_gmt) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), data = VALUES(data), date_gmt = VALUES(date_gmt)' );
$sql_read   = $db->prepare( 'SELECT room, client_id, user_id, data, date_gmt FROM wp_presence WHERE room = ? AND date_gmt > ? ORDER BY date_gmt DESC' );

presence_clear();
apcu_clear_cache();
for ( $i = 0; $i < 40; $i++ ) {
	$d = $data + array( 'tab' => $i );
	presence_upsert( $room, "editor-$i", $i + 1, $d );
	$now = gmdate( 'Y-m-d H:i:s' );
	$j   = json_encode( $d );
	$c   = "editor-$i";
	$u   = $i + 1;
	$sql_upsert->bind_param( 'ssiss', $room, $c, $u, $j, $now );
	$sql_upsert->execute();
	$all       = apcu_fetch( $room ) ?: array();
	$all[ $c ] = array( 'client_id' => $c, 'user_id' => $u, 'data' => $d, 'updated' => time(), 'expires' => time() + 60 );
	apcu_store( $room, $all );
}

// ---- operations (each returns nothing; the loop measures) ---------------------------------
$n_fast = 20000;
$n_slow = 400;
$ops    = array(
	'empty call (presence_time)'   => array( $n_fast, fn() => presence_time() ),
	'presence upsert (same data)'  => array( $n_fast, fn() => presence_upsert( $room, 'editor-7', 8, $data + array( 'tab' => 7 ) ) ),
	'presence upsert (new data)'   => array( $n_fast, function () use ( $room, $data ) {
		static $k = 0;
		presence_upsert( $room, 'editor-7', 8, $data + array( 'tab' => ++$k ) );
	} ),
	'presence read room (40)'      => array( $n_fast, fn() => presence_room( $room ) ),
	'presence room version'        => array( $n_fast, fn() => presence_room_version( $room ) ),
	'userland: build 40 rows'      => array( $n_fast, function () use ( $room, $data ) {
		$rows = array();
		for ( $i = 0; $i < 40; $i++ ) {
			$rows[] = array( 'room' => $room, 'client_id' => "editor-$i", 'user_id' => $i + 1, 'data' => $data + array( 'tab' => $i ), 'updated' => 1, 'expires' => 2 );
		}
	} ),
	'APCu upsert (array per room)' => array( $n_fast, function () use ( $room, $data ) {
		static $k = 0;
		$all               = apcu_fetch( $room );
		$all['editor-7'] = array( 'client_id' => 'editor-7', 'user_id' => 8, 'data' => $data + array( 'tab' => ++$k ), 'updated' => time(), 'expires' => time() + 60 );
		apcu_store( $room, $all );
	} ),
	'APCu read room (40)'          => array( $n_fast, function () use ( $room ) {
		$now  = time();
		$rows = array_filter( apcu_fetch( $room ), fn( $e ) => $e['expires'] > $now );
		usort( $rows, fn( $a, $b ) => $b['updated'] <=> $a['updated'] );
	} ),
	'MariaDB upsert'               => array( $n_slow, function () use ( $sql_upsert, $room, $data ) {
		static $k = 0;
		$c   = 'editor-7';
		$u   = 8;
		$j   = json_encode( $data + array( 'tab' => ++$k ) );
		$now = gmdate( 'Y-m-d H:i:s' );
		$sql_upsert->bind_param( 'ssiss', $room, $c, $u, $j, $now );
		$sql_upsert->execute();
	} ),
	'MariaDB read room (40)'       => array( $n_slow, function () use ( $sql_read, $room ) {
		$since = gmdate( 'Y-m-d H:i:s', time() - 60 );
		$sql_read->bind_param( 'ss', $room, $since );
		$sql_read->execute();
		$rows = $sql_read->get_result()->fetch_all( MYSQLI_ASSOC );
		foreach ( $rows as &$r ) {
			$r['data'] = json_decode( $r['data'], true );
		}
	} ),
);

$samples = array();
for ( $r = 0; $r < $rounds; $r++ ) {
	foreach ( $ops as $name => list( $n, $fn ) ) {
		$fn(); // warm
		$t = hrtime( true );
		for ( $i = 0; $i < $n; $i++ ) {
			$fn();
		}
		$samples[ $name ][] = ( hrtime( true ) - $t ) / $n / 1000;
	}
}
$median = array();
foreach ( $samples as $name => $s ) {
	sort( $s );
	$median[ $name ] = $s[ intdiv( count( $s ), 2 ) ];
}
echo json_encode( $median, JSON_PRETTY_PRINT ), "\n";
file_put_contents( getenv( 'BENCH_OUT' ) ?: 'php://stdout', json_encode( $median ) );
