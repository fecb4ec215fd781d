<?php
/**
 * benches/e2e/churn.php: the churn variant's background writer. While the measured run lasts, a
 * set fraction of the bench users changes screen, as on a busy site: by default 5 % of them per
 * 15 s, spread evenly over time.
 *
 * Usage (with the ini of php-fpm, so it writes the store the run uses):
 *   scripts/stack/php.sh SITE_DIR churn.php SITE_DIR URL USERS.tsv COUNT PERCENT PERIOD STATS_FILE
 *
 * Each change is one user's second tab ("churn001") written through the bridge's own tab writer
 * (wp_presence_write_tab(), the checks and data of a real tick), online and on a new screen, so
 * the user's combined row (its most present, newest tab) shows a new screen and `admin/online`
 * takes a new version. The users are drawn at random from the first COUNT in USERS.tsv. Runs until
 * SIGTERM (or 15 minutes), then writes {"changes": N, "seconds": S, "per_second": R} to STATS_FILE.
 *
 * With CHURN_ONCE=K in the environment (run.sh --instr) it makes exactly K changes at once, users
 * drawn with a fixed seed, and exits: the instruction count replays one known state.
 *
 * @package Presence
 */

if ( 'cli' !== PHP_SAPI || $argc < 8 ) {
	fwrite( STDERR, "usage: php churn.php SITE_DIR URL USERS.tsv COUNT PERCENT PERIOD STATS_FILE\n" );
	exit( 2 );
}
list( , $site, $url, $tsv, $count, $percent, $period, $stats_file ) = $argv;
$_SERVER['HTTP_HOST']   = preg_replace( '#^https?://([^/]+).*$#', '$1', $url );
$_SERVER['REQUEST_URI'] = '/';
require rtrim( $site, '/' ) . '/wp-load.php';

$users = array();
foreach ( file( $tsv, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
	$users[] = (int) strtok( $line, "\t" );
	if ( count( $users ) >= (int) $count ) {
		break;
	}
}
$per_second = count( $users ) * (float) $percent / 100 / max( 1, (float) $period );
// One query for every user's data now, so the writes need no database (the bridge's cards).
cache_users( $users );
// Never outlives a run by much, even if run.sh could not stop it.
$deadline = microtime( true ) + 900;
$stop       = false;
pcntl_async_signals( true );
pcntl_signal(
	SIGTERM,
	static function () use ( &$stop ) {
		$stop = true;
	}
);

$screens = array( 'dashboard', 'edit-post', 'edit-page', 'upload', 'users', 'profile', 'edit-comments', 'plugins', 'options-general', 'tools' );
$changes = 0;
$start   = microtime( true );
$once    = getenv( 'CHURN_ONCE' );
if ( false !== $once && '' !== $once ) {
	mt_srand( 42 ); // The same users every time.
}
if ( function_exists( 'wp_presence_write_tab' ) && $users && ( $per_second > 0 || $once ) ) {
	while ( ! $stop && microtime( true ) < $deadline ) {
		$due = $once ? (int) $once : (int) floor( ( microtime( true ) - $start ) * $per_second );
		while ( $changes < $due && ! $stop ) {
			$uid = $users[ mt_rand( 0, count( $users ) - 1 ) ];
			wp_set_current_user( $uid );
			$screen = $screens[ $changes % count( $screens ) ];
			wp_presence_write_tab(
				array(
					'tab'      => 'churn001',
					'screen'   => $screen,
					'post_id'  => 0,
					'activity' => 'online',
					'ack'      => '',
					'seen'     => array(),
				),
				$screen, // Heartbeat's screen id for that page.
				$uid,
				wp_presence_user_card( $uid )
			);
			++$changes;
		}
		if ( $once ) {
			break;
		}
		usleep( 20000 );
	}
} elseif ( ! $once ) {
	while ( ! $stop && microtime( true ) < $deadline ) {
		usleep( 100000 ); // Bridge off: nothing to change, but the run's shape stays the same.
	}
}
$seconds = microtime( true ) - $start;
file_put_contents(
	$stats_file,
	json_encode(
		array(
			'changes'    => $changes,
			'seconds'    => round( $seconds, 2 ),
			'per_second' => $seconds > 0 ? round( $changes / $seconds, 2 ) : 0,
			'target'     => round( $per_second, 2 ),
		)
	) . "\n"
);
