<?php
/**
 * Plugin Name: Presence e2e bench probe
 * Description: Installed by benches/e2e/run.sh into the bench site's mu-plugins. Adds counters to every
 *              admin-ajax response so the benchmark can count (not estimate) SQL queries and time per tick.
 *
 * Response headers (set at `shutdown` priority 0, before WordPress flushes its output buffers):
 *   X-Bench-Backend   extension | sql | redis | off (bridge not active)
 *   X-Bench-Queries   $wpdb->num_queries for the whole request
 *   X-Bench-Queries-Hb  queries run inside the heartbeat_received + heartbeat_send filters
 *   X-Bench-Timing    microseconds: boot (request start -> plugins_loaded), bridge (its plugin file
 *                     include), init (plugins_loaded -> admin_init), recv / send (the heartbeat filters),
 *                     total (request start -> shutdown)
 *
 * Pages (not only admin-ajax) honour the cookie `bench_presence_js=before` (benches/e2e/tabs.js).
 *
 * A request sent with the header `X-Bench-Dump: 1` (SAVEQUERIES is then defined by the bench site's
 * wp-config-extra.php) also writes its queries, with time and caller, to wp-content/bench-dump.json.
 *
 * @package Presence
 */

if ( ! defined( 'ABSPATH' ) ) {
	return;
}

// benches/e2e/tabs.js: with the cookie bench_presence_js=before, pages load the admin UI's script as
// it was before the leader tab (run.sh puts it in uploads/), to count its Heartbeat requests.
add_filter(
	'script_loader_src',
	static function ( $src, $handle ) {
		$before = WP_CONTENT_DIR . '/uploads/presence-before-leader.js';
		if ( 'wp-presence-ui' === $handle && isset( $_COOKIE['bench_presence_js'] ) && 'before' === $_COOKIE['bench_presence_js'] && file_exists( $before ) ) {
			return content_url( 'uploads/presence-before-leader.js' ) . '?ver=' . filemtime( $before );
		}
		return $src;
	},
	10,
	2
);

if ( ! wp_doing_ajax() ) {
	return;
}

$GLOBALS['presence_bench'] = array(
	't0'     => isset( $_SERVER['REQUEST_TIME_FLOAT'] ) ? (float) $_SERVER['REQUEST_TIME_FLOAT'] : microtime( true ),
	'last'   => microtime( true ),
	'bridge' => 0.0,
	'recv'   => 0.0,
	'send'   => 0.0,
	'q_hb'   => 0,
);
ob_start();

// wp_get_active_and_valid_plugins() reads the option right before WordPress includes the plugins.
add_filter(
	'option_active_plugins',
	static function ( $v ) {
		$GLOBALS['presence_bench']['last'] = microtime( true );
		return $v;
	}
);
add_action(
	'plugin_loaded',
	static function ( $file ) {
		$now = microtime( true );
		if ( false !== strpos( $file, '/presence/' ) || false !== strpos( $file, 'wordpress-bridge' ) ) {
			$GLOBALS['presence_bench']['bridge'] += $now - $GLOBALS['presence_bench']['last'];
		}
		$GLOBALS['presence_bench']['last'] = $now;
	}
);
add_action(
	'plugins_loaded',
	static function () {
		$GLOBALS['presence_bench']['plugins_loaded'] = microtime( true );
	},
	PHP_INT_MIN
);
add_action(
	'admin_init',
	static function () {
		$GLOBALS['presence_bench']['admin_init'] = microtime( true );
	},
	PHP_INT_MIN
);

foreach ( array( 'heartbeat_received' => 'recv', 'heartbeat_send' => 'send' ) as $presence_bench_hook => $presence_bench_key ) {
	add_filter(
		$presence_bench_hook,
		static function ( $response ) use ( $presence_bench_key ) {
			global $wpdb;
			$GLOBALS['presence_bench'][ $presence_bench_key . '_start' ] = microtime( true );
			$GLOBALS['presence_bench'][ $presence_bench_key . '_q' ]     = $wpdb->num_queries;
			return $response;
		},
		PHP_INT_MIN
	);
	add_filter(
		$presence_bench_hook,
		static function ( $response ) use ( $presence_bench_key ) {
			global $wpdb;
			$b = &$GLOBALS['presence_bench'];
			if ( isset( $b[ $presence_bench_key . '_start' ] ) ) {
				$b[ $presence_bench_key ] += microtime( true ) - $b[ $presence_bench_key . '_start' ];
				$b['q_hb']                += $wpdb->num_queries - $b[ $presence_bench_key . '_q' ];
			}
			return $response;
		},
		PHP_INT_MAX
	);
}

add_action(
	'shutdown',
	static function () {
		global $wpdb;
		if ( headers_sent() ) {
			return;
		}
		$b       = $GLOBALS['presence_bench'];
		$now     = microtime( true );
		$us      = static function ( $s ) {
			return (int) round( $s * 1e6 );
		};
		$backend = function_exists( 'wp_presence_backend' ) ? wp_presence_backend() : 'off';
		if ( ! empty( $_SERVER['HTTP_X_BENCH_DUMP'] ) && defined( 'SAVEQUERIES' ) && SAVEQUERIES ) {
			$dump = array();
			foreach ( (array) $wpdb->queries as $q ) {
				$dump[] = array(
					'sql'    => $q[0],
					'ms'     => round( $q[1] * 1000, 3 ),
					'caller' => $q[2],
				);
			}
			file_put_contents( WP_CONTENT_DIR . '/bench-dump.json', wp_json_encode( $dump, JSON_PRETTY_PRINT ) );
		}
		header( 'X-Bench-Backend: ' . $backend );
		header( 'X-Bench-Queries: ' . (int) $wpdb->num_queries );
		header( 'X-Bench-Queries-Hb: ' . (int) $b['q_hb'] );
		header(
			sprintf(
				'X-Bench-Timing: boot=%d;bridge=%d;init=%d;recv=%d;send=%d;total=%d',
				isset( $b['plugins_loaded'] ) ? $us( $b['plugins_loaded'] - $b['t0'] ) : -1,
				$us( $b['bridge'] ),
				isset( $b['admin_init'], $b['plugins_loaded'] ) ? $us( $b['admin_init'] - $b['plugins_loaded'] ) : -1,
				$us( $b['recv'] ),
				$us( $b['send'] ),
				$us( $now - $b['t0'] )
			)
		);
	},
	0
);
