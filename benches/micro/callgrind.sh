#!/usr/bin/env bash
# Instructions per call (valgrind's callgrind), which unlike time repeat exactly on a busy machine:
# each workload of reads.php runs twice, with 0 and with N calls, and the difference is divided by
# N, so start-up and the room's set-up cancel out.
# Usage: benches/micro/callgrind.sh [out.json]   (prints a table; writes JSON when asked)
# Uses its own segment file under /dev/shm, removed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
out=${1:-}
# mode:entries:calls
workloads=(
	presence:40:2000 userland:40:2000 userland-reuse:40:2000 presence-flat:40:2000
	presence:5000:20 userland:5000:20 upsert:40:20000
)
tmp=$(mktemp -d)
shm=/dev/shm/presence-callgrind-$$
trap 'rm -rf "$tmp" "$shm"' EXIT
count() { # mode calls entries -> total instructions
	rm -f "$shm"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" php8.2 -n -d extension="$so" \
		-d presence.shm_path="$shm" -d presence.shards=1 -d presence.capacity=16384 \
		"$root/benches/micro/reads.php" "$1" "$2" "$3" 2>"$tmp/log" >/dev/null \
		|| { cat "$tmp/log" >&2; exit 1; }
	sed -n 's/^==[0-9]*== Collected : //p' "$tmp/log"
}
json='{'
for w in "${workloads[@]}"; do
	IFS=: read -r mode entries calls <<<"$w"
	base=$(count "$mode" 0 "$entries")
	full=$(count "$mode" "$calls" "$entries")
	per=$(((full - base) / calls))
	printf '%-15s %5d entries %10d instructions per call\n' "$mode" "$entries" "$per"
	json+="\"$mode:$entries\":$per,"
done
json="${json%,}}"
[ -z "$out" ] || printf '%s\n' "$json" >"$out"
