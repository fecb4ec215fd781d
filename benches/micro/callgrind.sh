#!/usr/bin/env bash
# Instructions per call (callgrind), which unlike time is repeatable on a busy machine: each mode
# of reads.php runs twice, with 0 and with N calls, and the difference is divided by N.
# Usage: benches/micro/callgrind.sh [calls] [modes...]   (default 2000; every mode)
# Needs its own /dev/shm (run it under /work/bin/isolated, or anywhere /dev/shm is private).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
calls=${1:-2000}
shift || true
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(presence userland userland-card presence-flat presence-5000 upsert)
out=$(mktemp -d)
trap 'rm -rf "$out" /dev/shm/presence-callgrind' EXIT
count() { # mode calls entries -> total instructions
	rm -f /dev/shm/presence-callgrind
	valgrind --tool=callgrind --callgrind-out-file="$out/cg" php8.2 -n -d extension="$so" \
		-d presence.shm_path=/dev/shm/presence-callgrind -d presence.capacity=65536 \
		-d presence.shards=1 -d presence.data_memory=64M \
		"$root/benches/micro/reads.php" "$1" "$2" "$3" 2>"$out/log" >/dev/null \
		|| { cat "$out/log" >&2; exit 1; }
	sed -n 's/^==[0-9]*== Collected : //p' "$out/log"
}
for mode in "${modes[@]}"; do
	entries=40 m=$mode n=$calls
	if [ "$mode" = presence-5000 ]; then entries=5000 m=presence n=$((calls / 50 > 0 ? calls / 50 : 1)); fi
	base=$(count "$m" 0 "$entries")
	full=$(count "$m" "$n" "$entries")
	printf '%-14s %10d instructions per call (%d calls)\n' "$mode" $(((full - base) / n)) "$n"
done
