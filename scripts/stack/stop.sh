#!/usr/bin/env bash
# Usage: scripts/stack/stop.sh SITE_DIR
#
# Stops exactly the php-fpm and nginx that scripts/stack/start.sh started for SITE_DIR
# (pids recorded in .build/stack/<STACK_NAME, default the basename of SITE_DIR>/), waits until they are gone
# (TERM, then KILL after STOP_WAIT seconds, default 10), and removes the pid files.
# Configuration and logs are kept. The presence shm segment is kept too, unless
# REMOVE_SHM=1 is set. Nothing else is touched. Safe to run when nothing is running.
set -euo pipefail

[ $# -eq 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SITE_DIR=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
NAME=${STACK_NAME:-$(basename "${SITE_DIR%/}")}
STATE="$ROOT/.build/stack/$NAME"
STOP_WAIT=${STOP_WAIT:-10}

[ -d "$STATE" ] || { echo "stack $NAME: not running"; exit 0; }

SHM_PATH=""
FPM_PID="" NGINX_PID=""
if [ -f "$STATE/stack.env" ]; then
	FPM_PID=$(sed -n 's/^FPM_PID=//p' "$STATE/stack.env")
	NGINX_PID=$(sed -n 's/^NGINX_PID=//p' "$STATE/stack.env")
	SHM_PATH=$(sed -n 's/^SHM_PATH=//p' "$STATE/stack.env")
fi

# Only signal a pid if it still is the process we started (pids get reused).
is_ours() { # pid expected-comm-prefix
	local pid=$1 want=$2 cmd
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
	[[ "$cmd" == *"$want"* && "$cmd" == *"$STATE"* ]]
}

pids=()
for p in "$FPM_PID" "$(cat "$STATE/php-fpm.pid" 2>/dev/null || true)"; do
	is_ours "$p" php-fpm && pids+=("$p")
done
for p in "$NGINX_PID" "$(cat "$STATE/nginx/nginx.pid" 2>/dev/null || true)"; do
	is_ours "$p" nginx && pids+=("$p")
done
# de-duplicate
mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -u | grep -v '^$' || true)

# their workers, so none is left behind if a master has to be KILLed
# (children from /proc: no dependency on procps)
children_of() { # PARENT=pid children_of
	local f line fields
	for f in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null <"$f" || continue
		read -r -a fields <<<"${line##*) }" # state ppid …
		if [ "${fields[1]:-}" = "$PARENT" ]; then f=${f#/proc/}; echo "${f%/stat}"; fi
	done
}
kids=()
for p in "${pids[@]}"; do
	for c in $(PARENT=$p children_of); do kids+=("$c"); done
done

stopped=0
if [ ${#pids[@]} -gt 0 ]; then
	# php-fpm master and nginx master: TERM = fast shutdown, they end their own workers
	kill -TERM "${pids[@]}" 2>/dev/null || true
	for ((i = 0; i < STOP_WAIT * 10; i++)); do
		left=0
		for p in "${pids[@]}" "${kids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
		[ $left = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}" "${kids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
			# ld-linux*: a php-fpm run through a private root's loader (scripts/php84/) has its name.
			case "$comm" in php-fpm*|nginx*|ld-linux*) kill -KILL "$p" 2>/dev/null || true ;; esac
		fi
	done
	stopped=${#pids[@]}
fi

rm -f "$STATE/php-fpm.pid" "$STATE/nginx/nginx.pid" "$STATE/stack.env"
if [ "${REMOVE_SHM:-0}" = 1 ] && [ -n "$SHM_PATH" ]; then
	rm -f "$SHM_PATH"
fi
echo "stack $NAME stopped ($stopped processes signalled)"
