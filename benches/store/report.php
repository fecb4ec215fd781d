<?php
/**
 * Writes the "Store" section of benches/RESULTS.md from the runs of benches/store/run.sh.
 *
 * Usage: php report.php <state dir> <RESULTS.md> <command> <baseline commit>
 */
list( , $dir, $results, $command, $base_rev ) = $argv;

/** Median of a list of numbers. */
function median( array $v ) {
	sort( $v );
	return $v[ intdiv( count( $v ), 2 ) ];
}

$runs = array( 'base' => array(), 'new' => array() );
foreach ( glob( "$dir/run-*.json" ) as $f ) {
	$r                        = json_decode( file_get_contents( $f ), true );
	$runs[ $r['label'] ][] = $r;
}
$reps = count( $runs['new'] );
$m    = array();
foreach ( $runs as $label => $list ) {
	foreach ( $list[0] ?? array() as $k => $v ) {
		if ( 'label' !== $k ) {
			$m[ $label ][ $k ] = median( array_column( $list, $k ) );
		}
	}
}
$fmt   = fn( $v ) => null === $v ? '—' : ( $v >= 100 ? number_format( $v, 0 ) : number_format( $v, 2 ) );
$ratio = fn( $a, $b ) => ( null === $a || null === $b || 0 == $b ) ? '—' : number_format( $a / $b, 2 ) . '×';

$cpu  = trim( shell_exec( "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2" ) ?? '' );
$php  = PHP_VERSION;
$when = gmdate( 'Y-m-d H:i' );
$out  = "## Store: big rooms, changes-since, writers\n\n";
$out .= "Measured $when UTC on $cpu, **2 cores shared with other sessions' builds and tests**, PHP $php, php-cli. Command: `$command` (`make bench-store`). ";
$out .= "This build against commit `$base_rev` (the store before rooms could spread), built by the script, in one session with the runs interleaved ($reps repetitions each; medians of 5 rounds per repetition, then of the repetitions). ";
$out .= "Both with `presence.capacity=131072`, 16 shards (8192 entries per shard): the baseline keeps a 5000-entry room in one shard, this build spreads it over two (past half of one). Data is a 3-key array.\n\n";
$out .= "| operation | this build | baseline | baseline ÷ this |\n|---|---|---|---|\n";
$rows = array(
	'read_5000'                => 'read a room of 5000 entries (µs)',
	'top20_5000'               => '`presence_room_top()`, first 20 users of 5000 entries (µs)',
	'version_5000'             => '`presence_room_version()`, 5000 entries (µs)',
	'refresh_5000'             => 'upsert, same data, 5000-entry room (µs)',
	'read_40'                  => 'read a room of 40 entries (µs)',
	'change_40'                => 'upsert, new data, 40-entry room (µs)',
	'changes_none_5000'        => '`presence_changes()`, nothing changed, 5000 entries (µs)',
	'changes_50_of_5000'       => '`presence_changes()`, 50 of 5000 changed (µs)',
	'changes_50_of_5000_users' => '… with `$whole_users` (µs)',
	'read_20000'               => 'read a room of 20 000 entries (µs)',
	'version_20000'            => '`presence_room_version()`, 20 000 entries (µs)',
	'refresh_20000'            => 'upsert, same data, 20 000-entry room (µs)',
	'changes_50_of_20000'      => '`presence_changes()`, 50 of 20 000 changed (µs)',
);
foreach ( $rows as $k => $name ) {
	$n    = $m['new'][ $k ] ?? null;
	$b    = $m['base'][ $k ] ?? null;
	$out .= "| $name | {$fmt($n)} | {$fmt($b)} | {$ratio($b, $n)} |\n";
}
if ( isset( $m['new']['changes_50_of_5000'], $m['new']['read_5000'] ) ) {
	$out .= "\nChanges-since against reading the room: 50 changed rows of 5000 cost " . $ratio( $m['new']['changes_50_of_5000'], $m['new']['read_5000'] ) . " of a full read in this build (it returned {$m['new']['changes_50_rows']} rows). The baseline has no change log; a rooms-20 000 row is blank for it because one of its rooms cannot outgrow a shard.\n";
}
$instr = array();
if ( is_file( "$dir/instr.txt" ) ) {
	foreach ( file( "$dir/instr.txt", FILE_IGNORE_NEW_LINES ) as $line ) {
		list( $which, $op, $n, $refs ) = explode( ' ', $line );
		$instr[ $which ][ $op ] = array( (int) $n, (int) $refs );
	}
}
if ( isset( $instr['new']['none'], $instr['base']['none'] ) ) {
	$out .= "\nInstructions per call, counted by callgrind (`valgrind --tool=callgrind`, the setup of the same script with no call subtracted): unlike the times above, other sessions' load cannot move these.\n\n";
	$out .= "| operation | this build | baseline | baseline ÷ this |\n|---|---|---|---|\n";
	$per = function ( $w, $op ) use ( $instr ) {
		if ( ! isset( $instr[ $w ][ $op ], $instr[ $w ]['none'] ) ) {
			return null;
		}
		return ( $instr[ $w ][ $op ][1] - $instr[ $w ]['none'][1] ) / $instr[ $w ][ $op ][0];
	};
	$names = array(
		'read_40'           => 'read a room of 40 entries',
		'read_5000'         => 'read a room of 5000 entries',
		'refresh_40'        => 'upsert, same data, 40-entry room',
		'change_40'         => 'upsert, new data, 40-entry room',
		'refresh_5000'      => 'upsert, same data, 5000-entry room',
		'change_5000'       => 'upsert, new data, 5000-entry room',
		'version_5000'      => '`presence_room_version()`, 5000 entries',
		'changes_none_5000' => '`presence_changes()`, nothing changed (baseline: an empty loop)',
		'top20_5000'        => '`presence_room_top()`, first 20 users of 5000 entries (baseline: an empty loop)',
	);
	foreach ( $names as $op => $name ) {
		$n    = $per( 'new', $op );
		$b    = in_array( $op, array( 'changes_none_5000', 'top20_5000' ), true ) ? null : $per( 'base', $op );
		$f    = fn( $v ) => null === $v ? '—' : number_format( $v, 0 );
		$out .= "| $name | {$f($n)} | {$f($b)} | {$ratio($b, $n)} |\n";
	}
}
$out .= "\nWhere an upsert's extra instructions go: two keyed SipHash-1-3 hashes (the room and the entry; together about 320 instructions, where the unkeyed hash before took about 100), a room lookup that compares the room's name, and, for a change, a new slot written before the old one is freed (so a process killed mid-change leaves the old entry or the new one, never neither), with the user's chain and the namespace's totals kept. A refresh of an entry in a spread room's other shard also takes that shard's lock after the home's. Reads do less than before: entries no longer carry the namespace and room name.\n";
$out .= "\nWriters: upserts per second summed over N php-cli processes, each writing its own 250 entries for 1 s: changes (alternating data) in one shared 5000-entry room, or each in a room of its own; and refreshes (the same data again, as a Heartbeat keepalive) in the shared room. **The machine has 2 cores, shared with other sessions**: 4 and 8 writers oversubscribe them, so those rows show contention, not scaling. Every change of a room takes the next version at its home shard, so changes to one room meet there whatever its size; refreshes of a spread room's entries take only their own shard.\n\n";
$out .= "| writers | changes, one room: this build | baseline | changes, own rooms: this build | baseline | refreshes, one room: this build | baseline |\n|---|---|---|---|---|---|---|\n";
foreach ( array( 1, 2, 4, 8 ) as $p ) {
	$g    = fn( $l, $w ) => $fmt( $m[ $l ][ "writers_{$p}_{$w}" ] ?? null );
	$out .= "| $p | {$g('new', 'one_room')} | {$g('base', 'one_room')} | {$g('new', 'own_rooms')} | {$g('base', 'own_rooms')} | {$g('new', 'one_room_refresh')} | {$g('base', 'one_room_refresh')} |\n";
}
$out .= "\n";

$text = file_get_contents( $results );
if ( preg_match( '/^## Store: .*?(?=^## |\z)/ms', $text ) ) {
	$text = preg_replace( '/^## Store: .*?(?=^## |\z)/ms', $out, $text );
} else {
	$text = preg_replace( '/^## End to end/m', $out . '## End to end', $text, 1 );
}
file_put_contents( $results, $text );
echo $out;
