#!/usr/bin/env bash
# Per-call micro-benchmark from php-cli: presence vs userland PHP vs APCu vs MariaDB (presence-api's
# queries), one process, interleaved rounds; the read target again as 41 alternating pairs
# (benches/micro/paired.php); then instruction counts of the same workloads under
# callgrind (benches/micro/callgrind.sh). Rewrites the "Micro" section of benches/RESULTS.md.
# Usage: benches/micro/run.sh [rounds]   (default 7)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
state=$root/.build/bench-micro
port=33065
rounds=${1:-7}
shm=/dev/shm/presence-bench-micro-$$
mkdir -p "$state"
"$root/scripts/wp/mariadb.sh" start "$state/db" "$port" >/dev/null
trap '"$root/scripts/wp/mariadb.sh" stop "$state/db" "$port" >/dev/null 2>&1 || true; rm -f "$shm"' EXIT
# One shard, so that the 5000-entry room fits (a room lives in one shard).
BENCH_OUT=$state/result.json php8.2 -n \
	-d extension=mysqlnd.so -d extension=mysqli.so -d extension=apcu.so -d apc.enable_cli=1 -d apc.shm_size=64M \
	-d extension="$so" -d presence.shm_path="$shm" -d presence.shards=1 \
	"$root/benches/micro/bench.php" "$state/db/mysqld.sock" "$rounds"
rm -f "$shm"
php8.2 -n -d extension="$so" -d presence.shm_path="$shm" "$root/benches/micro/paired.php" 41 >"$state/paired.json"
PRESENCE_SO=$so "$root/benches/micro/callgrind.sh" "$state/callgrind.json"
php8.2 -n "$root/benches/micro/report.php" "$state/result.json" "$state/paired.json" "$state/callgrind.json" \
	"$root/benches/RESULTS.md" "benches/micro/run.sh $rounds"
