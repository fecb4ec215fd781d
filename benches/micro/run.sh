#!/usr/bin/env bash
# Per-call micro-benchmark from php-cli: presence vs APCu vs MariaDB (presence-api's queries),
# one process, interleaved rounds. Rewrites the "Micro" section of benches/RESULTS.md.
# Usage: benches/micro/run.sh [rounds]   (default 7)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
state=$root/.build/bench-micro
port=33065
rounds=${1:-7}
mkdir -p "$state"
"$root/scripts/wp/mariadb.sh" start "$state/db" "$port" >/dev/null
trap '"$root/scripts/wp/mariadb.sh" stop "$state/db" "$port" >/dev/null 2>&1 || true; rm -f /dev/shm/presence-bench-micro' EXIT
rm -f /dev/shm/presence-bench-micro
BENCH_OUT=$state/result.json php8.2 -n \
	-d extension=mysqlnd.so -d extension=mysqli.so -d extension=apcu.so -d apc.enable_cli=1 -d apc.shm_size=64M \
	-d extension="$so" -d presence.shm_path=/dev/shm/presence-bench-micro \
	"$root/benches/micro/bench.php" "$state/db/mysqld.sock" "$rounds"
php8.2 -n "$root/benches/micro/report.php" "$state/result.json" "$root/benches/RESULTS.md" "benches/micro/run.sh $rounds"
