<?php
/**
 * Per-call cost from PHP: the presence extension against userland PHP building the same rows,
 * APCu (one array per room) and a MariaDB table used the way presence-api uses it. All in one
 * process, rounds interleaved, medians kept.
 *
 * Rooms hold entries as the bridge's Heartbeat writes them (benches/micro/workload.php): 40 in
 * admin/online, 5000 in admin/big.
 *
 * Usage: php bench.php <mysqli socket> <rounds>
 */
require __DIR__ . '/workload.php';

$socket = $argv[1];
$rounds = (int) ( $argv[2] ?? 7 );
$room   = 'admin/online';
$big    = 'admin/big';
printf( "data: %d bytes of JSON\n", strlen( json_encode( bridge_data( 1 ) ) ) );

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
$cards = array();
foreach ( array( $room => 40, $big => 5000 ) as $r => $n ) {
	$all = array();
	$db->begin_transaction();
	for ( $i = 0; $i < $n; $i++ ) {
		$d = bridge_data( $i );
		$c = client_id( $i );
		$u = $i + 1;
		presence_upsert( $r, $c, $u, $d, 3600 );
		$now = gmdate( 'Y-m-d H:i:s' );
		$j   = json_encode( $d );
		$sql_upsert->bind_param( 'ssiss', $r, $c, $u, $j, $now );
		$sql_upsert->execute();
		$all[ $c ]   = array( 'client_id' => $c, 'user_id' => $u, 'data' => $d, 'updated' => time(), 'expires' => time() + 3600 );
		$cards[ $i ] = $d['_wp'];
	}
	$db->commit();
	apcu_store( $r, $all );
}

// ---- operations ---------------------------------------------------------------------------
// Each operation is an inline loop (no closure call per iteration), and "new data" alternates two
// prebuilt arrays so every write is a change without building an array in the loop.
$data_a = bridge_data( 7 );
$data_b = bridge_data( 7 );
$data_b['activity'] = 'idle' === $data_a['activity'] ? 'online' : 'idle';
$json_a = json_encode( $data_a );
$json_b = json_encode( $data_b );
$tab    = client_id( 7 );

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
				presence_upsert( $room, $tab, 8, $data_a, 3600 );
			}
			break;
		case 'presence upsert (new data)':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_upsert( $room, $tab, 8, $i & 1 ? $data_a : $data_b, 3600 );
			}
			break;
		case 'presence read room (40)':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = presence_room( $room );
			}
			break;
		case 'presence read room (5000)':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = presence_room( $big );
			}
			break;
		case 'presence room version':
			for ( $i = 0; $i < $n; $i++ ) {
				presence_room_version( $room );
			}
			break;
		case 'userland: build 40 rows':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = userland_rows( $room, $cards, 40 );
			}
			break;
		case 'userland: build 40 rows, cards reused':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = userland_rows_reusing_cards( $room, $cards, 40 );
			}
			break;
		case 'userland: build 5000 rows':
			for ( $i = 0; $i < $n; $i++ ) {
				$rows = userland_rows( $big, $cards, 5000 );
			}
			break;
		case 'APCu upsert (array per room)':
			for ( $i = 0; $i < $n; $i++ ) {
				$all          = apcu_fetch( $room );
				$all[ $tab ] = array( 'client_id' => $tab, 'user_id' => 8, 'data' => $i & 1 ? $data_a : $data_b, 'updated' => time(), 'expires' => time() + 3600 );
				apcu_store( $room, $all );
			}
			break;
		case 'APCu read room (40)':
		case 'APCu read room (5000)':
			$r = strpos( $name, '5000' ) ? $big : $room;
			for ( $i = 0; $i < $n; $i++ ) {
				$now  = time();
				$rows = array_filter( apcu_fetch( $r ), fn( $e ) => $e['expires'] > $now );
				usort( $rows, fn( $a, $b ) => $b['updated'] <=> $a['updated'] );
			}
			break;
		case 'MariaDB upsert':
			$u = 8;
			for ( $i = 0; $i < $n; $i++ ) {
				$j   = $i & 1 ? $json_a : $json_b;
				$now = gmdate( 'Y-m-d H:i:s' );
				$sql_upsert->bind_param( 'ssiss', $room, $tab, $u, $j, $now );
				$sql_upsert->execute();
			}
			break;
		case 'MariaDB read room (40)':
		case 'MariaDB read room (5000)':
			$r = strpos( $name, '5000' ) ? $big : $room;
			for ( $i = 0; $i < $n; $i++ ) {
				$since = gmdate( 'Y-m-d H:i:s', time() - 3600 );
				$sql_read->bind_param( 'ss', $r, $since );
				$sql_read->execute();
				$rows = $sql_read->get_result()->fetch_all( MYSQLI_ASSOC );
				foreach ( $rows as &$row ) {
					$row['data'] = json_decode( $row['data'], true );
				}
				unset( $row );
			}
			break;
	}
	return ( hrtime( true ) - $t ) / $n / 1000;
}

$ctx = compact( 'room', 'big', 'cards', 'tab', 'data_a', 'data_b', 'json_a', 'json_b', 'sql_upsert', 'sql_read' );
$ops = array(
	'empty call (presence_time)'            => 50000,
	'presence upsert (same data)'           => 50000,
	'presence upsert (new data)'            => 50000,
	'presence read room (40)'               => 20000,
	'userland: build 40 rows'               => 20000,
	'userland: build 40 rows, cards reused' => 20000,
	'presence read room (5000)'             => 100,
	'userland: build 5000 rows'             => 100,
	'presence room version'                 => 50000,
	'APCu upsert (array per room)'          => 20000,
	'APCu read room (40)'                   => 20000,
	'APCu read room (5000)'                 => 40,
	'MariaDB upsert'                        => 400,
	'MariaDB read room (40)'                => 400,
	'MariaDB read room (5000)'              => 10,
);

$samples = array();
for ( $r = 0; $r < $rounds; $r++ ) {
	foreach ( $ops as $name => $n ) {
		run_op( $name, max( 1, intdiv( $n, 1000 ) ), $ctx ); // warm
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
