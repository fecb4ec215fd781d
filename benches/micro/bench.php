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

// ---- operations ---------------------------------------------------------------------------
// Each operation is an inline loop (no closure call per iteration), and "new data" alternates two
// prebuilt arrays so every write is a change without building an array in the loop.
$data_a = $data + array( 'tab' => 7 );
$data_b = $data + array( 'tab' => 8 );
$json_a = json_encode( $data_a );
$json_b = json_encode( $data_b );

/**
 * Runs one operation $n times and returns µs per call.
 */
function run_op( $name, $n, $ctx ) {
	extract( $ctx );
	$t = hrtime( true );
	switch ( $name ) {
		case 'empty call (presence_time)':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_time();
			}
			break;
		case 'presence upsert (same data)':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_upsert( $room, 'editor-7', 8, $data_a );
			}
			break;
		case 'presence upsert (new data)':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_upsert( $room, 'editor-7', 8, $i & 1 ? $data_a : $data_b );
			}
			break;
		case 'presence read room (40)':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = presence_room( $room );
			}
			break;
		case 'presence room version':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_room_version( $room );
			}
			break;
		case 'userland: build 40 rows':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = array();
				for ( $j = 0; $j < 40; $j++ ) {
					$rows[] = array( 'room' => $room, 'client_id' => "editor-$j", 'user_id' => $j + 1, 'data' => $data + array( 'tab' => $j ), 'updated' => 1, 'expires' => 2 );
				}
			}
			break;
		case 'APCu upsert (array per room)':
			for ( $i = 0; $i < $n; $i++ ) {
				$all             = apcu_fetch( $room );
				$all['editor-7'] = array( 'client_id' => 'editor-7', 'user_id' => 8, 'data' => $i & 1 ? $data_a : $data_b, 'updated' => time(), 'expires' => time() + 60 );
				apcu_store( $room, $all );
			}
			break;
		case 'APCu read room (40)':
			for ( $i = 0; $i < $n; $i++ ) {
				$now  = time();
				$rows = array_filter( apcu_fetch( $room ), fn( $e ) => $e['expires'] > $now );
				usort( $rows, fn( $a, $b ) => $b['updated'] <=> $a['updated'] );
			}
			break;
		case 'MariaDB upsert':
			$c = 'editor-7';
			$u = 8;
			for ( $i = 0; $i < $n; $i++ ) {
				$j   = $i & 1 ? $json_a : $json_b;
				$now = gmdate( 'Y-m-d H:i:s' );
				$sql_upsert->bind_param( 'ssiss', $room, $c, $u, $j, $now );
				$sql_upsert->execute();
			}
			break;
		case 'MariaDB read room (40)':
			for ( $i = 0; $i < $n; $i++ ) {
				$since = gmdate( 'Y-m-d H:i:s', time() - 60 );
				$sql_read->bind_param( 'ss', $room, $since );
				$sql_read->execute();
				$rows = $sql_read->get_result()->fetch_all( MYSQLI_ASSOC );
				foreach ( $rows as &$r ) {
					$r['data'] = json_decode( $r['data'], true );
				}
				unset( $r );
			}
			break;
	}
	return ( hrtime( true ) - $t ) / $n / 1000;
}

$ctx = compact( 'room', 'data', 'data_a', 'data_b', 'json_a', 'json_b', 'sql_upsert', 'sql_read' );
$ops = array(
	'empty call (presence_time)'   => 50000,
	'presence upsert (same data)'  => 50000,
	'presence upsert (new data)'   => 50000,
	'presence read room (40)'      => 20000,
	'presence room version'        => 50000,
	'userland: build 40 rows'      => 20000,
	'APCu upsert (array per room)' => 20000,
	'APCu read room (40)'          => 20000,
	'MariaDB upsert'               => 400,
	'MariaDB read room (40)'       => 400,
);

$samples = array();
for ( $r = 0; $r < $rounds; $r++ ) {
	foreach ( $ops as $name => $n ) {
		run_op( $name, 10, $ctx ); // warm
		$samples[ $name ][] = run_op( $name, $n, $ctx );
	}
}
$median = array();
foreach ( $samples as $name => $s ) {
	sort( $s );
	$median[ $name ] = $s[ intdiv( count( $s ), 2 ) ];
}
echo json_encode( $median, JSON_PRETTY_PRINT ), "\n";
file_put_contents( getenv( 'BENCH_OUT' ) ?: 'php://stdout', json_encode( $median ) );
