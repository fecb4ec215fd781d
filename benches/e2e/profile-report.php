<?php
/**
 * benches/e2e/profile-report.php: summarises Excimer collapsed stacks.
 *
 * Usage: php profile-report.php DIR REQUESTS [TOP]
 *
 * Prints, per request (samples × period ÷ REQUESTS is left to the caller: figures are in % of all
 * samples and in samples per request), the top functions by inclusive and by self time, and the
 * share of samples whose stack passes through the bridge (a frame whose name contains "presence",
 * case-insensitive).
 *
 * @package Presence
 */

if ( $argc < 3 ) {
	fwrite( STDERR, "usage: php profile-report.php DIR REQUESTS [TOP]\n" );
	exit( 2 );
}
$dir      = $argv[1];
$requests = max( 1, (int) $argv[2] );
$top      = (int) ( $argv[3] ?? 25 );
$incl     = array();
$self     = array();
$total    = 0;
$presence = 0;
foreach ( glob( "$dir/collapsed-*.txt" ) as $file ) {
	foreach ( file( $file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
		$sp = strrpos( $line, ' ' );
		if ( false === $sp ) {
			continue;
		}
		$n      = (int) substr( $line, $sp + 1 );
		$frames = explode( ';', substr( $line, 0, $sp ) );
		$total += $n;
		foreach ( array_unique( $frames ) as $f ) {
			$incl[ $f ] = ( $incl[ $f ] ?? 0 ) + $n;
		}
		$leaf          = end( $frames );
		$self[ $leaf ] = ( $self[ $leaf ] ?? 0 ) + $n;
		if ( preg_grep( '/presence/i', $frames ) ) {
			$presence += $n;
		}
	}
}
if ( ! $total ) {
	echo "no samples in $dir\n";
	exit( 1 );
}
$period = (int) ( getenv( 'PRESENCE_PROFILE_PERIOD_US' ) ?: 250 );
printf( "%d samples (%d µs CPU each) over %d requests = %.2f ms CPU per request sampled\n", $total, $period, $requests, $total * $period / 1000 / $requests );
printf( "stacks through a *presence* frame: %.1f%% (%.2f ms/request)\n\n", 100 * $presence / $total, $presence * $period / 1000 / $requests );
$show = static function ( $title, array $t ) use ( $total, $top, $period, $requests ) {
	arsort( $t );
	echo "$title\n";
	foreach ( array_slice( $t, 0, $top, true ) as $f => $n ) {
		printf( "  %5.1f%%  %6.2f ms/req  %s\n", 100 * $n / $total, $n * $period / 1000 / $requests, $f );
	}
	echo "\n";
};
$show( 'inclusive', $incl );
$show( 'self', $self );
