#!/usr/bin/env bash
# The store under load (big rooms, changes-since, 1–8 writer processes), this build against a
# baseline build of an earlier commit, interleaved in one session. Rewrites the "Store" section
# of benches/RESULTS.md.
# Usage: benches/store/run.sh [reps] [baseline commit]   (defaults: 5, 76f49e1 = before issue 9)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
reps=${1:-5}
base_rev=${2:-76f49e1}
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
state=$root/.build/bench-store
mkdir -p "$state"
base_dir=$state/base-$base_rev
if [ ! -f "$base_dir/target/release/libpresence.so" ]; then
	rm -rf "$base_dir" && mkdir -p "$base_dir"
	git -C "$root" archive "$base_rev" | tar -x -C "$base_dir"
	(cd "$base_dir" && PHP=/usr/bin/php8.2 PHP_CONFIG=/usr/bin/php-config8.2 cargo build --release --quiet)
fi
base_so=$base_dir/target/release/libpresence.so
shm=/dev/shm/presence-bench-store
trap 'rm -f "$shm"' EXIT
# Both builds can hold a 5000-entry room at this size (8192 entries per shard); this build spreads
# it over two shards (past half of one), the baseline keeps it in one.
ini=(-d presence.capacity=131072 -d presence.shards=16 -d presence.data_memory=64M -d presence.namespace_share=100)
rm -f "$state"/run-*.json
for rep in $(seq 1 "$reps"); do
	for which in base new; do
		if [ "$which" = base ]; then lib=$base_so; extra=""; else lib=$so; extra=big; fi
		rm -f "$shm"
		php8.2 -n -d extension="$lib" -d presence.shm_path="$shm" "${ini[@]}" \
			"$root/benches/store/bench.php" "$which" 5 "$state/run-$which-$rep.json" $extra >/dev/null
	done
done
# Instructions per call (callgrind): the comparison that other sessions' load cannot move.
if command -v valgrind >/dev/null; then
	for which in base new; do
		if [ "$which" = base ]; then lib=$base_so; else lib=$so; fi
		for op in none read_40 read_5000 refresh_40 change_40 refresh_5000 change_5000 version_5000 changes_none_5000 top20_5000; do
			rm -f "$shm"
			n=2000; [ "$op" = read_5000 ] && n=20; [ "$op" = top20_5000 ] && n=200
			valgrind --tool=callgrind --callgrind-out-file=/dev/null php8.2 -n -d extension="$lib" -d presence.shm_path="$shm" "${ini[@]}" \
				"$root/benches/store/instr.php" "$op" "$n" 2>&1 | sed -n "s/.*I *refs: *\([0-9,]*\).*/$which $op $n \1/p" | tr -d ,
		done
	done > "$state/instr.txt"
fi
php8.2 -n "$root/benches/store/report.php" "$state" "$root/benches/RESULTS.md" "benches/store/run.sh $reps $base_rev" "$base_rev"
