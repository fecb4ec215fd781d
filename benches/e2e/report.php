<?php
/**
 * benches/e2e/report.php: turns the bench's results.jsonl into the "## End to end: Heartbeat" section.
 *
 * Usage: php report.php RESULTS.jsonl PRIME.jsonl WP_VERSION [ARGS [TABS.jsonl]] > section.md
 *        php report.php --splice benches/RESULTS.md section.md [HEADING]
 *
 * The section ends with benches/e2e/analysis.md (hand-written findings), so a rerun keeps them.
 * --splice replaces the section (from its heading to the next "## " heading) in RESULTS.md, or
 * appends it; every other section is left as it is. HEADING (default "## End to end: Heartbeat")
 * names another section (run.sh --instr writes its own).
 *
 * @package Presence
 */

const PRESENCE_HEADING = '## End to end: Heartbeat';

if ( isset( $argv[1] ) && '--splice' === $argv[1] ) {
	$file    = $argv[2];
	$section = rtrim( file_get_contents( $argv[3] ) ) . "\n";
	$heading = isset( $argv[4] ) ? $argv[4] : PRESENCE_HEADING;
	$text    = file_exists( $file ) ? file_get_contents( $file ) : "# Benchmark results\n";
	$lines   = explode( "\n", $text );
	$start   = null;
	$end     = count( $lines );
	foreach ( $lines as $i => $line ) {
		if ( null === $start && rtrim( $line ) === $heading ) {
			$start = $i;
		} elseif ( null !== $start && $i > $start && 0 === strpos( $line, '## ' ) ) {
			$end = $i;
			break;
		}
	}
	if ( null === $start ) {
		$text = rtrim( $text ) . "\n\n" . $section;
	} else {
		$before = implode( "\n", array_slice( $lines, 0, $start ) );
		$after  = implode( "\n", array_slice( $lines, $end ) );
		$text   = ( '' === trim( $before ) ? '' : rtrim( $before ) . "\n\n" ) . $section . ( '' === trim( $after ) ? '' : "\n" . $after );
	}
	file_put_contents( $file, rtrim( $text ) . "\n" );
	exit( 0 );
}

if ( $argc < 4 ) {
	fwrite( STDERR, "usage: php report.php RESULTS.jsonl PRIME.jsonl WP_VERSION [ARGS]\n" );
	exit( 2 );
}
$rows = array();
foreach ( file( $argv[1], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
	$r = json_decode( $line, true );
	if ( is_array( $r ) ) {
		$rows[] = $r;
	}
}
$primes = array();
foreach ( file_exists( $argv[2] ) ? file( $argv[2], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) : array() as $line ) {
	$p = json_decode( $line, true );
	if ( is_array( $p ) ) {
		$primes[ $p['mode'] . '/' . $p['users'] ] = $p['prime'];
	}
}
$wp_version = $argv[3];
$tabs_rows  = array();
if ( isset( $argv[5] ) && file_exists( $argv[5] ) ) {
	foreach ( file( $argv[5], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $line ) {
		$t = json_decode( $line, true );
		if ( is_array( $t ) ) {
			$tabs_rows[ $t['label'] ] = $t;
		}
	}
}

function presence_median( array $v ) {
	sort( $v );
	$n = count( $v );
	if ( ! $n ) {
		return null;
	}
	return $n % 2 ? $v[ intdiv( $n, 2 ) ] : ( $v[ $n / 2 - 1 ] + $v[ $n / 2 ] ) / 2;
}

/**
 * The capacity ratio of a configuration: with paired baselines (PAIRED=1), the median over the
 * repetitions of the deactivated run right after it divided by its own server CPU; otherwise the
 * deactivated block's median.
 */
function presence_capacity( array $g, $key, $off_cpu ) {
	$mode = strtok( $key, '/' );
	$v    = $g[ $key ];
	if ( 'off' !== $mode && ! empty( $g[ 'pair/' . $mode ] ) ) {
		$base   = array_column( $g[ 'pair/' . $mode ], 'server', 'rep' );
		$ratios = array();
		foreach ( $v as $run ) {
			if ( isset( $base[ $run['rep'] ] ) && $run['server'] > 0 ) {
				$ratios[] = $base[ $run['rep'] ] / $run['server'];
			}
		}
		if ( $ratios ) {
			return sprintf( '**%.2f** (%s)', presence_median( $ratios ), implode( ', ', array_map( fn( $x ) => sprintf( '%.2f', $x ), $ratios ) ) );
		}
	}
	return $off_cpu ? sprintf( '**%.2f**', $off_cpu / presence_median( array_column( $v, 'server' ) ) ) : '–';
}

// Group by users / mode / variant.
$groups = array();
foreach ( $rows as $r ) {
	$run = $r['run'];
	$req = max( 1, (int) $run['requests'] );
	$ms  = 1000 / $r['clk_tck'] / $req;
	$redis_ticks  = isset( $r['redis_ticks'] ) ? $r['redis_ticks'] : 0;
	$writer_ticks = isset( $r['writer_ticks'] ) ? $r['writer_ticks'] : 0;
	// A deactivated run made as one configuration's baseline (PAIRED=1) is kept apart.
	$key = empty( $r['pair'] ) ? $r['mode'] . '/' . $r['variant'] : 'pair/' . $r['pair'];
	$groups[ $r['users'] ][ $key ][] = array(
		'rep'     => $r['rep'],
		'rps'     => $run['rps'],
		'p50'     => $run['p50_ms'],
		'p99'     => $run['p99_ms'],
		'fpm'     => $r['fpm_ticks'] * $ms,
		'db'      => $r['db_ticks'] * $ms,
		'redis'   => $redis_ticks * $ms,
		'writer'  => $writer_ticks * $ms,
		'churn'   => isset( $r['churn']['per_second'] ) ? $r['churn']['per_second'] : null,
		'attempts' => isset( $r['attempts'] ) ? (int) $r['attempts'] : 1,
		'nginx'   => $r['nginx_ticks'] * $ms,
		'machine' => $r['machine_ticks'] * $ms,
		// CPU of processes outside the benchmark (other sessions, builds): share of the machine.
		'other'   => isset( $r['wrk_ticks'] ) && $r['machine_ticks'] > 0
			? max( 0, $r['machine_ticks'] - $r['fpm_ticks'] - $r['nginx_ticks'] - $r['db_ticks'] - $redis_ticks - $writer_ticks - $r['wrk_ticks'] ) / $r['machine_ticks']
			: null,
		'other_ub' => empty( $r['wrk_ticks'] ), // wrk's CPU unknown: the share includes it (an upper bound)
		'wrk'     => isset( $r['wrk_ticks'] ) ? $r['wrk_ticks'] * $ms : null,
		'server'  => ( $r['fpm_ticks'] + $r['db_ticks'] + $r['nginx_ticks'] + $redis_ticks ) * $ms,
		'q'       => $run['queries_per_tick'],
		'qhb'     => $run['hb_queries_per_tick'],
		'bytes'   => $run['bytes_per_tick'],
		'bad'     => $run['bad'] + $run['socket_errors'] + $run['timeouts'],
		'req'     => $run['requests'],
	);
}
ksort( $groups );

$labels = array(
	'ext/steady'   => 'bridge on the extension, steady (acked, rooms unchanged)',
	'ext/churn'    => 'bridge on the extension, churn (others change screen)',
	'ext/full'     => 'bridge on the extension, full rooms every tick',
	'redis/steady' => 'bridge on Redis, steady',
	'redis/churn'  => 'bridge on Redis, churn',
	'redis/full'   => 'bridge on Redis, full rooms every tick',
	'sql/steady'   => 'bridge on the SQL table, steady (acked, rooms unchanged)',
	'sql/churn'    => 'bridge on the SQL table, churn',
	'sql/full'     => 'bridge on the SQL table, full rooms every tick',
	'off/steady'   => 'bridge deactivated',
);
$order  = array_keys( $labels );

$cmd = function ( $s ) {
	return trim( (string) shell_exec( false === strpos( $s, '2>' ) ? $s . ' 2>/dev/null' : $s ) );
};
$cpu     = $cmd( "sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1" );
$cores   = $cmd( 'nproc' );
$mem     = $cmd( "awk '/MemTotal/{printf \"%.0f GiB\", $2/1048576}' /proc/meminfo" );
$kernel  = $cmd( 'uname -r' );
$php     = PHP_VERSION;
$nginx   = preg_replace( '/^.*nginx\//', '', $cmd( 'nginx -v 2>&1' ) );
$mariadb = preg_replace( '/^.*Ver (\S+).*$/', '$1', $cmd( 'mariadbd --version' ) );
$wrk     = preg_replace( '/^wrk (\S+).*$/s', '$1', $cmd( 'wrk --version 2>&1 | head -1' ) );
$env     = array();
$defaults = array( 'USERS' => '40 500 5000', 'MODES' => 'ext sql redis off', 'VARIANTS' => 'steady churn full', 'REPS' => '2', 'RUN_SECONDS' => '10', 'WARMUP_SECONDS' => '3', 'CONNECTIONS' => '16', 'WRK_THREADS' => '1', 'FPM_WORKERS' => '4', 'SQL_MAX_USERS' => '500', 'CHURN_PERCENT' => '5', 'CHURN_PERIOD' => '15', 'NOISY_SHARE' => '0.15', 'MAX_RERUNS' => '2', 'TABS_SECONDS' => '180' );
foreach ( $defaults as $k => $default ) {
	if ( false !== getenv( $k ) && getenv( $k ) !== $default ) {
		$env[ $k ] = '"' . getenv( $k ) . '"';
	}
}
$reps    = max( array_map( fn( $r ) => $r['rep'], $rows ?: array( array( 'rep' => 0 ) ) ) );
$seconds = $rows ? round( $rows[0]['run']['seconds'] ) : 0;

$out   = array();
$out[] = PRESENCE_HEADING;
$out[] = '';
$out[] = '_Generated by `make bench-e2e` (`benches/e2e/run.sh`) on ' . gmdate( 'Y-m-d H:i' ) . ' UTC; the findings at the end are from `benches/e2e/analysis.md`._';
$out[] = '';
$out[] = sprintf( '- **Machine:** %s, %s cores, %s, Linux %s. **The load generator (wrk, 1 thread) shares the 2 cores with nginx, php-fpm and MariaDB**, so absolute figures are low and noisy; compare the ratios, which come from one session with the modes interleaved.', $cpu, $cores, $mem, $kernel );
$out[] = sprintf( '- **Stack:** WordPress %s, PHP %s (php-fpm, `pm = static`, %s workers, opcache on, WP_DEBUG off), nginx %s, MariaDB %s, all on 127.0.0.1.', $wp_version, $php, getenv( 'FPM_WORKERS' ) ?: '4', $nginx, $mariadb );
$out[] = sprintf( '- **Load:** wrk %s, %s connections, %d s per run after a %s s warm-up, %d repetitions (the table shows the median and, for req/s, each repetition). Each request is a Heartbeat tick of one logged-in user (`admin-ajax.php?action=heartbeat`, heartbeat nonce + auth cookies made with `wp_generate_auth_cookie()` for a fresh session), rotating over 40, 500 or 5000 distinct users who all stay online. 9 users in 10 are on the dashboard (`wp-presence` ping with screen `dashboard` + core\'s `wp-auth-check`); every 10th has a post open in the editor (screen `post`, `post_id`, plus core\'s `wp-refresh-post-lock`). Before each measured set the presence of all bench users is removed and the users are brought online again: by one real tick each up to 500 users, by `prime-cli.php` (the same writes from php-cli, so that priming 5000 users does not take 5000 full replies) above. The SQL table runs up to %s users.', $wrk, getenv( 'CONNECTIONS' ) ?: '16', $seconds, getenv( 'WARMUP_SECONDS' ) ?: '3', $reps, getenv( 'SQL_MAX_USERS' ) ?: '500' );
$out[] = sprintf( '- **Variants:** *steady* = each client sends the `ack` and the versions from its last reply, as `assets/presence.js` does (room versions and the active posts\' version in `seen`), and nothing changed since, so the bridge may skip the write and leave out what the client already has: the best case, and the common one for a tick whose user did nothing new. *churn* = the steady requests while `churn.php` (php-cli, its CPU counted apart) changes the screen of %s %% of the users every %s s, spread evenly (the *changes/s* column): on a busy site almost every tick then finds `admin/online` changed; since the replayed `seen` stays at the priming version, more users than the bound soon changed since it, and each such tick receives the bounded rows (the first 20 users and the total) rather than changes. *full* = no `seen`: every reply carries the `admin/online` room (bounded rows) and every active post with its editors: the worst case, and what every presence-api tick was (unbounded there). Deactivated receives the same requests.', getenv( 'CHURN_PERCENT' ) ?: '5', getenv( 'CHURN_PERIOD' ) ?: '15' );
$out[] = '- **Measured:** req/s and latency from wrk; CPU per request = utime+stime of the php-fpm master and workers (and separately mariadbd, nginx) read from `/proc/PID/stat` before and after the run, divided by the requests; SQL queries per tick = `$wpdb->num_queries` of each request, sent back in a header by the probe mu-plugin `benches/e2e/mu-bench.php` and averaged by the wrk script; reply bytes = body bytes per tick. *capacity ÷ deactivated* = the deactivated run\'s server CPU per request (php-fpm + MariaDB + nginx) divided by this configuration\'s: the throughput ratio a CPU-bound server would show, and far less sensitive than req/s to other load on the machine. With `PAIRED=1` (the default) each configuration has its own deactivated run, made right after its runs with the same users and requests in the same repetition, and the ratio is the median over the repetitions of each pair\'s (each pair in brackets): the machine\'s speed drifts by up to ±20 % over minutes, invisibly to /proc, which a deactivated block at the end of a repetition cannot follow. *CPU not ours* = the share of the machine\'s busy CPU time during each run spent outside php-fpm, nginx, MariaDB, Redis, the churn writer and wrk (other sessions sharing the machine); a run above ' . ( getenv( 'NOISY_SHARE' ) ?: '0.15' ) . ' is run again (up to ' . ( getenv( 'MAX_RERUNS' ) ?: '2' ) . ' times) and the quietest attempt kept (marked ↻). Server CPU includes Redis in the Redis rows.';
$out[] = '- **Command:** `make bench-e2e`' . ( $env ? ' with `' . implode( ' ', array_map( fn( $k, $v ) => "$k=$v", array_keys( $env ), $env ) ) . '`' : '' ) . '.';
$out[] = '';

foreach ( $groups as $users => $g ) {
	$off     = isset( $g['off/steady'] ) ? presence_median( array_column( $g['off/steady'], 'rps' ) ) : null;
	$off_cpu = isset( $g['off/steady'] ) ? presence_median( array_column( $g['off/steady'], 'server' ) ) : null;
	$out[] = "### $users users online";
	$out[] = '';
	$out[] = '| configuration | req/s (each rep) | req/s ÷ deactivated | p50 ms | p99 ms | php-fpm CPU ms/req | MariaDB CPU ms/req | Redis CPU ms/req | **capacity ÷ deactivated** (by server CPU) | SQL queries/tick | reply bytes/tick | changes/s | CPU not ours |';
	$out[] = '|---|---|---|---|---|---|---|---|---|---|---|---|---|';
	foreach ( $order as $k ) {
		if ( empty( $g[ $k ] ) ) {
			continue;
		}
		$v   = $g[ $k ];
		$rps = presence_median( array_column( $v, 'rps' ) );
		$bad = array_sum( array_column( $v, 'bad' ) );
		$out[] = sprintf(
			'| %s | %.1f (%s) | %s | %.1f | %.1f | %.1f | %.2f | %s | %s | %s | %s | %s | %s |',
			$labels[ $k ] . ( $bad ? " ⚠ $bad bad replies" : '' ),
			$rps,
			implode( ', ', array_map( fn( $x ) => sprintf( '%.1f', $x ), array_column( $v, 'rps' ) ) ),
			$off ? sprintf( '%.2f', $rps / $off ) : '–',
			presence_median( array_column( $v, 'p50' ) ),
			presence_median( array_column( $v, 'p99' ) ),
			presence_median( array_column( $v, 'fpm' ) ),
			presence_median( array_column( $v, 'db' ) ),
			0 === strpos( $k, 'redis/' ) ? sprintf( '%.2f', presence_median( array_column( $v, 'redis' ) ) ) : '–',
			presence_capacity( $g, $k, $off_cpu ),
			null === $v[0]['q'] ? '–' : sprintf( '%.1f', presence_median( array_column( $v, 'q' ) ) ),
			number_format( presence_median( array_column( $v, 'bytes' ) ), 0, '.', ',' ),
			null === $v[0]['churn'] ? '–' : sprintf( '%.1f', presence_median( array_column( $v, 'churn' ) ) ),
			null === $v[0]['other'] ? '–' : implode( ', ', array_map( fn( $x, $ub, $n ) => sprintf( '%s%.0f%%%s', $ub ? '≤' : '', 100 * $x, $n > 1 ? ' ↻' . ( $n - 1 ) : '' ), array_column( $v, 'other' ), array_column( $v, 'other_ub' ), array_column( $v, 'attempts' ) ) )
		);
	}
	$out[] = '';
}

// Priming facts: full room size and that every user was really online.
$facts = array();
foreach ( $primes as $key => $p ) {
	list( $mode, $users ) = explode( '/', $key );
	if ( 'off' === $mode ) {
		continue;
	}
	$facts[] = sprintf( '%s/%s users: %s users in the `admin/online` reply, %s active posts, full reply %s bytes, priming %ss (%s), steady acks answered unchanged %s', $mode, $users, $p['online_in_reply'] ?? '?', $p['active_posts'] ?? '?', isset( $p['full_reply_bytes'] ) ? number_format( $p['full_reply_bytes'] ) : '?', $p['prime_seconds'], $p['primed_by'] ?? 'http', $p['acks_matched'] ?? '?' );
}
if ( $facts ) {
	$out[] = '<details><summary>Checks from the priming ticks</summary>';
	$out[] = '';
	foreach ( $facts as $f ) {
		$out[] = "- $f";
	}
	$out[] = '';
	$out[] = '</details>';
	$out[] = '';
}

if ( $tabs_rows ) {
	$out[] = '### Heartbeat requests per user per minute, 3 tabs open';
	$out[] = '';
	$out[] = '`benches/e2e/tabs.js`: one user, headless Chromium, the dashboard, the posts list and the profile in three tabs, core\'s own Heartbeat interval (60 s; 120 s without focus), counted for ' . (int) reset( $tabs_rows )['seconds'] . ' s after 15 s to settle, on the extension.';
	$out[] = '';
	$out[] = '| admin UI script | Heartbeat requests/min | of which carry `wp-presence` | per tab: role, interval s, requests (with presence) |';
	$out[] = '|---|---|---|---|';
	$names = array(
		'before' => 'before the leader (each tab ticks for itself)',
		'after'  => 'with the leader tab',
	);
	foreach ( array( 'before', 'after' ) as $label ) {
		if ( empty( $tabs_rows[ $label ] ) ) {
			continue;
		}
		$t     = $tabs_rows[ $label ];
		$out[] = sprintf(
			'| %s | %.2f | %.2f | %s |',
			$names[ $label ],
			$t['heartbeat_per_minute'],
			$t['presence_per_minute'],
			implode( '; ', array_map( fn( $x ) => sprintf( '%s, %s, %d (%d)', $x['role'], $x['interval'], $x['heartbeat'], $x['presence'] ), $t['per_tab'] ) )
		);
	}
	$out[] = '';
}

$analysis = __DIR__ . '/analysis.md';
if ( file_exists( $analysis ) ) {
	$out[] = rtrim( file_get_contents( $analysis ) );
	$out[] = '';
}
echo implode( "\n", $out ), "\n";
