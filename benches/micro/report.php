<?php
// Writes the micro-benchmark medians into benches/RESULTS.md, replacing only its own section.
list( , $json, $file, $command ) = $argv;
$m     = json_decode( file_get_contents( $json ), true );
$us    = fn( $k ) => sprintf( '%.2f µs', $m[ $k ] );
$ratio = fn( $a, $b ) => sprintf( '%.0f×', $m[ $a ] / $m[ $b ] );
$cpu   = trim( shell_exec( "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2" ) );
$lines = array(
	'## Micro: per call from PHP',
	'',
	sprintf( 'Measured %s UTC on %s (%d cores), PHP %s, php-cli. Command: `%s` (`make bench`).', gmdate( 'Y-m-d H:i' ), $cpu, (int) shell_exec( 'nproc' ), PHP_VERSION, $command ),
	'Median of 7 interleaved rounds in one process. The room holds 40 entries; data is a 3-key array (about 70 bytes as JSON). Each operation runs as an inline loop, and "new data" alternates two prebuilt arrays, so every write is a real change and no array is built inside the timed loop.',
	'',
	'| operation | presence | APCu (array per room) | MariaDB (presence-api\'s queries) | APCu ÷ presence | MariaDB ÷ presence |',
	'|---|---|---|---|---|---|',
	sprintf( '| upsert (new data) | %s | %s | %s | %s | %s |', $us( 'presence upsert (new data)' ), $us( 'APCu upsert (array per room)' ), $us( 'MariaDB upsert' ), $ratio( 'APCu upsert (array per room)', 'presence upsert (new data)' ), $ratio( 'MariaDB upsert', 'presence upsert (new data)' ) ),
	sprintf( '| read room (40) | %s | %s | %s | %s | %s |', $us( 'presence read room (40)' ), $us( 'APCu read room (40)' ), $us( 'MariaDB read room (40)' ), $ratio( 'APCu read room (40)', 'presence read room (40)' ), $ratio( 'MariaDB read room (40)', 'presence read room (40)' ) ),
	'',
	'Baselines from the same run:',
	'',
	sprintf( '- near-empty extension call (`presence_time()`): %s', $us( 'empty call (presence_time)' ) ),
	sprintf( '- upsert with unchanged data (a keepalive: timestamps only, room version unchanged): %s', $us( 'presence upsert (same data)' ) ),
	sprintf( '- `presence_room_version()` on the 40-entry room: %s', $us( 'presence room version' ) ),
	sprintf( '- building the same 40 rows in userland PHP: %s, so a presence read costs %.1f× building its result in PHP.', $us( 'userland: build 40 rows' ), $m['presence read room (40)'] / $m['userland: build 40 rows'] ),
	'',
	sprintf( 'Targets (issue 2): upsert ≤ 0.5 µs: %s; read of 40 ≤ 5 µs: %s.', $m['presence upsert (new data)'] <= 0.5 ? 'met' : 'missed', $m['presence read room (40)'] <= 5 ? 'met' : 'missed' ),
	'',
	'Where a read goes (callgrind, `valgrind --tool=callgrind` on 2000 reads): about 100K instructions per 40-row read, down from 169K before result rows were cloned from request-scoped template arrays (`src/sys/zend.rs`, `src/php/shapes.rs`). The lock, walk and copy out of shared memory take under 1 µs (see `presence_room_version()` above, which walks the same room); the rest is building 80 PHP arrays and about 200 strings, and the engine freeing them. Halving it again would need results that are not plain arrays (lazy data, or a packed-row API), which would change the contract.',
	'',
);
$section = implode( "\n", $lines );
$doc     = file_exists( $file ) ? file_get_contents( $file ) : "# Benchmark results\n\n";
if ( preg_match( '/^## Micro: per call from PHP\n.*?(?=^## |\z)/ms', $doc ) ) {
	$doc = preg_replace( '/^## Micro: per call from PHP\n.*?(?=^## |\z)/ms', addcslashes( $section, '\\$' ) . "\n", $doc );
} else {
	$doc = preg_replace( '/\A(# [^\n]*\n\n?)/', "$1" . addcslashes( $section, '\\$' ) . "\n", $doc, 1 );
}
file_put_contents( $file, $doc );
echo $section, "\n";
