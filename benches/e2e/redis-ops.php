<?php
/**
 * The Redis store's script ops by Redis time, from a slow log that logged every command
 * (benches/e2e/run.sh --instr with REDIS_SLOWLOG=1).
 *
 * Usage: php redis-ops.php SLOWLOG.json TICKS
 * SLOWLOG.json is `redis-cli --json slowlog get N`; TICKS the ticks sent while it logged. A
 * script call is named by its op (ARGV[1] of WP_Presence_Store_Redis::SCRIPT); the commands it
 * ran are logged too, under their own names, and their time is also inside the call's.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 3 ) {
	fwrite( STDERR, "usage: php redis-ops.php SLOWLOG.json TICKS\n" );
	exit( 2 );
}
$log   = json_decode( (string) file_get_contents( $argv[1] ), true );
$ticks = max( 1, (int) $argv[2] );
if ( ! is_array( $log ) ) {
	fwrite( STDERR, "redis-ops.php: {$argv[1]} is not a slow log in JSON\n" );
	exit( 1 );
}
$by = array();
foreach ( $log as $entry ) {
	$args = isset( $entry[3] ) && is_array( $entry[3] ) ? $entry[3] : array();
	$cmd  = strtolower( (string) ( $args[0] ?? '' ) );
	// EVALSHA sha numkeys op ...: the op names the call.
	$name = in_array( $cmd, array( 'evalsha', 'eval' ), true ) ? 'script ' . ( $args[3] ?? '?' ) : $cmd;
	if ( ! isset( $by[ $name ] ) ) {
		$by[ $name ] = array( 0, 0 );
	}
	++$by[ $name ][0];
	$by[ $name ][1] += (int) $entry[2];
}
uasort(
	$by,
	static function ( $a, $b ) {
		return $b[1] <=> $a[1];
	}
);
printf( "%-24s %12s %12s %12s\n", 'op or command', 'calls/tick', 'us/tick', 'us/call' );
foreach ( $by as $name => list( $calls, $usec ) ) {
	printf( "%-24s %12.2f %12.1f %12.1f\n", $name, $calls / $ticks, $usec / $ticks, $usec / $calls );
}
