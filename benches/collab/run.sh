#!/usr/bin/env bash
# Usage: benches/collab/run.sh            (make bench-collab; run it under /work/bin/isolated or
#                                          anywhere the bridge suite's ports are free)
#
# The real-time collaboration caller's poll (write one awareness entry, read the room) on the
# extension, SQL and Redis: benches/collab/CollabPollBench.php in the extension, sql and redis
# passes of tests/bridge/run.sh (real WordPress, MariaDB, redis-server). Per backend and variant:
# SQL queries per poll and the median wall time of one poll in php-cli, for presence-api's old
# pattern (wp_set_presence() + wp_get_presence()) and for wp_presence_exchange(), with the cursor
# moved every poll and with nothing changed. Prints the JSON lines and a Markdown table.
#
# Environment: POLLS (300) polls per variant, BRIDGE_PASSES ("extension sql redis").
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
OUT="$ROOT/.build/bench-collab/results.jsonl"
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
COLLAB_BENCH_OUT="$OUT" POLLS="${POLLS:-300}" BRIDGE_PASSES="${BRIDGE_PASSES:-extension sql redis}" \
	"$ROOT/tests/bridge/run.sh" "$ROOT/benches/collab/CollabPollBench.php" >"$ROOT/.build/bench-collab/run.log" 2>&1 ||
	{ tail -n 40 "$ROOT/.build/bench-collab/run.log"; exit 1; }
cat "$OUT"
php -r '
$rows = array();
foreach ( file( $argv[1], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES ) as $l ) { $r = json_decode( $l, true ); $rows[ $r["backend"] ][ $r["variant"] ] = $r; }
echo "\n| backend | poll | SQL queries, old | SQL queries, exchange | median µs, old | median µs, exchange | exchange / old |\n|---|---|---|---|---|---|---|\n";
foreach ( $rows as $b => $v ) {
	foreach ( array( "moved", "idle" ) as $k ) {
		$o = $v[ "old-$k" ]; $e = $v[ "exchange-$k" ];
		printf( "| %s | %s | %s | %s | %s | %s | %.2f |\n", $b, "moved" === $k ? "cursor moved" : "unchanged", $o["queries_per_poll"], $e["queries_per_poll"], $o["median_us"], $e["median_us"], $e["median_us"] / max( 0.1, $o["median_us"] ) );
	}
}' "$OUT"
