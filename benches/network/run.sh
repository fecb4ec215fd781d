#!/usr/bin/env bash
# Usage: benches/network/run.sh      (make bench-network)
#
# Times the network Who's Online widget over 1000 sites with 15 people online each (see
# NetworkWidgetBench.php) on the bridge harness's multisite pass: the extension when built
# (BACKENDS="extension sql" adds the SQL fallback). Prints one JSON line per backend
# (NETWORK-BENCH ...) and appends them to .build/bench-network/results.jsonl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
OUT="$ROOT/.build/bench-network"
mkdir -p "$OUT"
export NETWORK_BENCH_OUT="$OUT/results.jsonl"
for backend in ${BACKENDS:-extension}; do
	if [ "$backend" = sql ]; then
		PRESENCE_SO=/nonexistent BRIDGE_TESTS_ALLOW_NO_EXTENSION=1 BRIDGE_PASSES=multisite \
			"$ROOT/tests/bridge/run.sh" "$ROOT/benches/network/NetworkWidgetBench.php" 2>&1 | grep -E 'NETWORK-BENCH|OK|FAIL|Error'
	else
		BRIDGE_PASSES=multisite "$ROOT/tests/bridge/run.sh" "$ROOT/benches/network/NetworkWidgetBench.php" 2>&1 | grep -E 'NETWORK-BENCH|OK|FAIL|Error'
	fi
done
