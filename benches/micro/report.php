<?php
// Writes the micro-benchmark medians and instruction counts into benches/RESULTS.md, replacing
// only its own section.
list( , $json, $paired_json, $cg_json, $file, $command ) = $argv;
$m     = json_decode( file_get_contents( $json ), true );
$cg    = json_decode( file_get_contents( $cg_json ), true );
$pair  = json_decode( file_get_contents( $paired_json ), true );
$us    = fn( $k ) => $m[ $k ] >= 100 ? sprintf( '%.0f µs', $m[ $k ] ) : sprintf( '%.2f µs', $m[ $k ] );
$ratio = fn( $a, $b ) => sprintf( $m[ $a ] / $m[ $b ] >= 10 ? '%.0f×' : '%.1f×', $m[ $a ] / $m[ $b ] );
$k     = fn( $n ) => $n >= 1e6 ? sprintf( '%.2fM', $n / 1e6 ) : sprintf( '%.1fK', $n / 1e3 );
$cpu   = trim( shell_exec( "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2" ) );
$load  = trim( explode( ' ', file_get_contents( '/proc/loadavg' ) )[1] );
$row = fn( $label, $p, $u, $a, $db ) => sprintf(
	'| %s | %s | %s | %s | %s | %s | %s | %s |',
	$label,
	$us( $p ),
	$u ? $us( $u ) : '—',
	$us( $a ),
	$us( $db ),
	$u ? $ratio( $p, $u ) : '—',
	$ratio( $a, $p ),
	$ratio( $db, $p )
);
$lines = array(
	'## Micro: per call from PHP',
	'',
	sprintf( 'Measured %s UTC on %s (%d cores, shared with other work: load average %s over the run), PHP %s, php-cli. Command: `%s` (`make bench`).', gmdate( 'Y-m-d H:i' ), $cpu, (int) shell_exec( 'nproc' ), $load, PHP_VERSION, $command ),
	'',
	'Rooms hold entries as the bridge\'s Heartbeat writes them (`benches/micro/workload.php`): client id `tab-{uid}-{tab}`, data `{screen, activity, _wp: {n, a, p}}`, the card holding a display name, an 80-byte avatar URL and a preference (about 150 bytes as JSON). Times are medians of interleaved rounds in one process, so compare ratios within this run, not absolute figures between runs. Each operation is an inline loop; "new data" alternates two prebuilt arrays, so every write is a real change and no array is built inside the timed loop. "Userland" builds the same rows in PHP from values at hand: six fields, a fresh data array and a fresh card array per row (the card\'s strings reused). The segment has one shard (`presence.shards=1`), so the 5000-entry room fits.',
	'',
	'| operation | presence | userland PHP, same rows | APCu (array per room) | MariaDB (presence-api\'s queries) | presence ÷ userland | APCu ÷ presence | MariaDB ÷ presence |',
	'|---|---|---|---|---|---|---|---|',
	$row( 'upsert (new data)', 'presence upsert (new data)', null, 'APCu upsert (array per room)', 'MariaDB upsert' ),
	$row( 'read room (40)', 'presence read room (40)', 'userland: build 40 rows', 'APCu read room (40)', 'MariaDB read room (40)' ),
	$row( 'read room (5000)', 'presence read room (5000)', 'userland: build 5000 rows', 'APCu read room (5000)', 'MariaDB read room (5000)' ),
	'',
	sprintf( 'The read of 40 against userland as %d alternating pairs of short bursts (`benches/micro/paired.php`), steadier than the medians above on a shared machine: presence ÷ userland median %.2f (quartiles %.2f–%.2f); %.2f µs against %.2f µs.', $pair['pairs'], $pair['median'], $pair['q1'], $pair['q3'], $pair['presence'], $pair['userland'] ),
	'',
	'Instructions per call (callgrind, `benches/micro/callgrind.sh`: each workload of `benches/micro/reads.php` run with 0 and with N calls, the difference divided by N; exact and repeatable whatever else runs):',
	'',
	'| workload | instructions per call | ÷ userland, same rows |',
	'|---|---|---|',
	sprintf( '| presence read room (40) | %s | %.2f |', $k( $cg['presence:40'] ), $cg['presence:40'] / $cg['userland:40'] ),
	sprintf( '| userland: build 40 rows | %s | 1.00 |', $k( $cg['userland:40'] ) ),
	sprintf( '| userland: build 40 rows, cards reused | %s | %.2f |', $k( $cg['userland-reuse:40'] ), $cg['userland-reuse:40'] / $cg['userland:40'] ),
	sprintf( '| presence read room (5000) | %s | %.2f |', $k( $cg['presence:5000'] ), $cg['presence:5000'] / $cg['userland:5000'] ),
	sprintf( '| userland: build 5000 rows | %s | 1.00 |', $k( $cg['userland:5000'] ) ),
	sprintf( '| presence read room (40), flat 4-key data (the earlier bench\'s entries) | %s | — |', $k( $cg['presence-flat:40'] ) ),
	sprintf( '| presence upsert (new data) | %s | — |', $k( $cg['upsert:40'] ) ),
	'',
	'Baselines from the same run:',
	'',
	sprintf( '- near-empty extension call (`presence_time()`): %s', $us( 'empty call (presence_time)' ) ),
	sprintf( '- upsert with unchanged data (a keepalive: timestamps only, room version unchanged): %s', $us( 'presence upsert (same data)' ) ),
	sprintf( '- `presence_room_version()` on the 40-entry room: %s', $us( 'presence room version' ) ),
	sprintf( '- userland building the 40 rows with each card array itself reused (as a PHP cache of decoded cards would): %s, %s of presence\'s read.', $us( 'userland: build 40 rows, cards reused' ), $ratio( 'userland: build 40 rows, cards reused', 'presence read room (40)' ) ),
	'',
	sprintf(
		'Targets: upsert ≤ 0.5 µs (issue 2): %s. Read of 40 no dearer than userland building the same rows (issue 9): %s by instructions (%.2f), %s by time (paired median %.2f).',
		$m['presence upsert (new data)'] <= 0.5 ? 'met' : 'missed',
		$cg['presence:40'] <= $cg['userland:40'] ? 'met' : 'missed',
		$cg['presence:40'] / $cg['userland:40'],
		$pair['median'] <= 1 ? 'met' : 'missed',
		$pair['median']
	),
	'',
);
$notes = __DIR__ . '/NOTES.md';
if ( file_exists( $notes ) ) {
	$lines[] = trim( file_get_contents( $notes ) );
	$lines[] = '';
}
$section = implode( "\n", $lines );
$doc     = file_exists( $file ) ? file_get_contents( $file ) : "# Benchmark results\n\n";
if ( preg_match( '/^## Micro: per call from PHP\n.*?(?=^## |\z)/ms', $doc ) ) {
	$doc = preg_replace( '/^## Micro: per call from PHP\n.*?(?=^## |\z)/ms', addcslashes( $section, '\\$' ) . "\n", $doc );
} else {
	$doc = preg_replace( '/\A(# [^\n]*\n\n?)/', "$1" . addcslashes( $section, '\\$' ) . "\n", $doc, 1 );
}
file_put_contents( $file, $doc );
echo $section, "\n";
