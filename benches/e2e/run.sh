#!/usr/bin/env bash
# Usage: benches/e2e/run.sh            (make bench-e2e)
#
# End-to-end Heartbeat benchmark: wrk on loopback replays authenticated Heartbeat ticks (admin-ajax.php
# action=heartbeat, nonce + auth cookies, rotating over 40 or 500 logged-in users) against a private
# WordPress (php-fpm 8.2 with 4 static workers, nginx, MariaDB), and compares in one session:
#   ext  the bridge on the presence extension
#   sql  the bridge on its SQL fallback table (php-fpm started without the extension)
#   off  the bridge deactivated
# For ext and sql two request variants are replayed after the same priming:
#   steady  each client sends its last ack and the room versions it has seen (nothing changed, the
#           server may skip both the write and the rooms: the best case)
#   full    no seen versions: every reply carries the full rooms (the worst case, what every tick
#           of presence-api looked like)
# Per run: requests/s, p50/p99 latency, php-fpm CPU per request (utime+stime of the workers from
# /proc), MariaDB and nginx CPU per request, SQL queries per tick (counted by a probe mu-plugin,
# header X-Bench-Queries), reply bytes per tick. Results: .build/bench-e2e/results.jsonl (and a
# timestamped copy), the section "## End to end: Heartbeat" of benches/RESULTS.md (other sections
# are kept) and its raw data in benches/e2e/data/.
#
# Environment (defaults): USERS="40 500" MODES="ext sql off" VARIANTS="steady full"
#   REPS=2 RUN_SECONDS=10 WARMUP_SECONDS=3
#   CONNECTIONS=16 WRK_THREADS=1 FPM_WORKERS=4 DB_PORT=33073 FPM_PORT=9113 HTTP_PORT=8093
#   KEEP=1 leaves the stack running afterwards; NO_REPORT=1 skips writing RESULTS.md.
#
# Profiling: benches/e2e/run.sh --profile MODE USERS VARIANT   (e.g. --profile ext 500 full)
#   samples php-fpm with Excimer (php-excimer's .so is fetched with `apt-get download` into
#   .build/tools, nothing is installed) during one RUN_SECONDS run and prints the top functions.
#
# The whole run takes about 8-12 minutes on 2 cores. Requires wrk, php-fpm8.2, nginx, mariadb
# (scripts/install-deps.sh) and target/release/libpresence.so (make ext).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
HERE="$ROOT/benches/e2e"
B="$ROOT/.build/bench-e2e"
SITE="$ROOT/.build/sites/bench"
NAME=$(basename "$SITE")
export USERS=${USERS:-"40 500"}
export MODES=${MODES:-"ext sql off"}
export REPS=${REPS:-2}
export RUN_SECONDS=${RUN_SECONDS:-10}
export WARMUP_SECONDS=${WARMUP_SECONDS:-3}
export CONNECTIONS=${CONNECTIONS:-16}
export WRK_THREADS=${WRK_THREADS:-1}
export VARIANTS=${VARIANTS:-"steady full"}
export FPM_WORKERS=${FPM_WORKERS:-4}
DB_PORT=${DB_PORT:-33073}
FPM_PORT=${FPM_PORT:-9113}
HTTP_PORT=${HTTP_PORT:-8093}
URL="http://127.0.0.1:$HTTP_PORT"
SO="$ROOT/target/release/libpresence.so"
STACK_STATE="$ROOT/.build/stack/$NAME"
MAX_USERS=$(tr ' ' '\n' <<<"$USERS" | sort -n | tail -1)

log() { printf '[bench-e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for bin in wrk php php-fpm8.2 nginx mariadbd curl; do
	command -v "$bin" >/dev/null || die "$bin missing: run scripts/install-deps.sh"
done
if [[ " $MODES " == *" ext "* ]] && [ ! -f "$SO" ]; then
	die "$SO missing: run 'make ext' first"
fi
[ -f "$ROOT/wordpress-bridge/presence.php" ] || die "wordpress-bridge/presence.php missing"

PROFILE=()
if [ "${1:-}" = --profile ]; then
	[ $# -eq 4 ] || die "usage: $0 --profile ext|sql|off USERS steady|full"
	PROFILE=("$2" "$3" "$4")
	USERS=$3 MAX_USERS=$3
fi

mkdir -p "$B"
exec 8>"$B/.lock"
flock -n 8 || die "another bench-e2e run is in progress"

cleanup() {
	if [ "${KEEP:-0}" != 1 ]; then
		"$ROOT/scripts/stack/stop.sh" "$SITE" >/dev/null 2>&1 || true
		"$ROOT/scripts/wp/mariadb.sh" stop "$B/mariadb" >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# ------------------------------------------------------------------ site
log "WordPress $("$ROOT/scripts/wp/fetch-wordpress.sh")"
"$ROOT/scripts/wp/mariadb.sh" start "$B/mariadb" "$DB_PORT" 8>&- # mariadbd must not hold our lock
mkdir -p "$SITE"
cat >"$SITE/wp-config-extra.php" <<'EOF'
<?php
// Written by benches/e2e/run.sh: production-like settings for the benchmark.
define( 'WP_DEBUG', false );
define( 'WP_DEBUG_LOG', false );
// A request with the header X-Bench-Dump: 1 records its queries (mu-bench.php writes them out).
if ( ! empty( $_SERVER['HTTP_X_BENCH_DUMP'] ) ) {
	define( 'SAVEQUERIES', true );
}
EOF
"$ROOT/scripts/wp/make-site.sh" "$SITE" "$B/mariadb/mysqld.sock" presence_bench "$URL" >/dev/null
mkdir -p "$SITE/wp-content/mu-plugins"
cp "$HERE/mu-bench.php" "$SITE/wp-content/mu-plugins/presence-bench.php"
log "bench users: $MAX_USERS editors, 20 posts"
php "$HERE/users.php" "$SITE" "$URL" "$MAX_USERS" 20 "$B/users.tsv"

# ------------------------------------------------------------------ helpers
# CPU ticks (utime+stime, 1/CLK_TCK s) of a process and its children
proc_ticks() {
	local total=0 p t
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		t=$(awk '{sub(/^.*\) /,""); print $12+$13}' "/proc/$p/stat" 2>/dev/null || echo 0)
		total=$((total + t))
	done
	echo "$total"
}
tree_pids() { # pids and their children (from /proc: no dependency on procps)
	local p f line fields
	for p in "$@"; do
		echo "$p"
		for f in /proc/[0-9]*/stat; do
			read -r line 2>/dev/null <"$f" || continue
			read -r -a fields <<<"${line##*) }"
			if [ "${fields[1]:-}" = "$p" ]; then f=${f#/proc/}; echo "${f%/stat}"; fi
		done
	done
}
fpm_pids() { tree_pids "$(cat "$STACK_STATE/php-fpm.pid")"; }
nginx_pids() { tree_pids "$(cat "$STACK_STATE/nginx/nginx.pid")"; }
db_pids() { cat "$B/mariadb/mysqld.pid"; }
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)

php_like_fpm() { "$ROOT/scripts/stack/php.sh" "$SITE" "$@"; }

set_mode() {
	local mode=$1
	case "$mode" in
		ext) "$ROOT/scripts/stack/start.sh" "$SITE" "$FPM_PORT" "$HTTP_PORT" >&2 ;;
		sql | off) "$ROOT/scripts/stack/start.sh" "$SITE" "$FPM_PORT" "$HTTP_PORT" --no-extension >&2 ;;
		*) die "unknown mode $mode" ;;
	esac
	if [ "$mode" = off ]; then
		php "$HERE/site.php" "$SITE" "$URL" deactivate
	else
		php "$HERE/site.php" "$SITE" "$URL" activate
	fi
	local want=$mode got
	[ "$mode" = ext ] && want=extension
	got=$(curl -s -o /dev/null -D - -X POST -d 'action=heartbeat' "$URL/wp-admin/admin-ajax.php" | tr -d '\r' | sed -n 's/^X-Bench-Backend: //Ip')
	[ "$got" = "$want" ] || die "mode $mode: php-fpm reports backend '$got', expected '$want'"
	log "mode $mode: backend $got"
}

wrk_run() { # file seconds -> RESULT json on stdout; wrk's own CPU ticks in $B/wrk.ticks
	local out
	out=$( (
		wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${2}s" --timeout 30s -s "$HERE/heartbeat.lua" "$URL" -- "$1"
		times # (not piped: in a pipeline it would report its own subshell's children)
	))
	sed -n 's/^RESULT //p' <<<"$out"
	# `times`: children's user and system time, e.g. "0m1.230s 0m0.400s"
	tail -1 <<<"$out" | awk -v hz="$CLK_TCK" '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d\n", t * hz + 0.5 }' >"$B/wrk.ticks"
}

measure() { # mode users variant rep file
	local mode=$1 n=$2 variant=$3 rep=$4 file=$5
	local fpm ngx db f0 n0 d0 m0 f1 n1 d1 m1 res
	fpm=$(fpm_pids) ngx=$(nginx_pids) db=$(db_pids)
	# shellcheck disable=SC2086
	f0=$(proc_ticks $fpm) n0=$(proc_ticks $ngx) d0=$(proc_ticks $db) m0=$(busy_ticks)
	res=$(wrk_run "$file" "$RUN_SECONDS")
	# shellcheck disable=SC2086
	f1=$(proc_ticks $fpm) n1=$(proc_ticks $ngx) d1=$(proc_ticks $db) m1=$(busy_ticks)
	[ -n "$res" ] || die "wrk produced no result ($mode $n $variant)"
	printf '{"mode":"%s","users":%d,"variant":"%s","rep":%d,"fpm_ticks":%d,"nginx_ticks":%d,"db_ticks":%d,"wrk_ticks":%d,"machine_ticks":%d,"clk_tck":%d,"run":%s}\n' \
		"$mode" "$n" "$variant" "$rep" $((f1 - f0)) $((n1 - n0)) $((d1 - d0)) "$(cat "$B/wrk.ticks")" $((m1 - m0)) "$CLK_TCK" "$res" | tee -a "$B/results.jsonl" >&2
}

# ------------------------------------------------------------------ profile
if [ ${#PROFILE[@]} -gt 0 ]; then
	mode=${PROFILE[0]} n=${PROFILE[1]} variant=${PROFILE[2]}
	excimer=$(find "$ROOT/.build/tools/excimer" -name excimer.so 2>/dev/null | head -1)
	if [ -z "$excimer" ]; then
		mkdir -p "$ROOT/.build/tools"
		(cd "$ROOT/.build/tools" && apt-get download php-excimer >/dev/null 2>&1 && dpkg-deb -x php-excimer_*.deb excimer) ||
			die "could not fetch php-excimer"
		excimer=$(find "$ROOT/.build/tools/excimer" -name excimer.so | head -1)
	fi
	export PRESENCE_PROFILE_DIR="$B/profile-$mode-$n-$variant"
	rm -rf "$PRESENCE_PROFILE_DIR" && mkdir -p "$PRESENCE_PROFILE_DIR"
	export PHP_FPM_EXTRA_INI="extension=$excimer
auto_prepend_file=$HERE/profile-prepend.php"
	set_mode "$mode"
	php_like_fpm "$HERE/site.php" "$SITE" "$URL" reset "$B/users.tsv"
	php "$HERE/prime.php" "$URL" "$B/users.tsv" "$n" "$B/req-$n" >/dev/null || die "priming failed"
	wrk_run "$B/req-$n.$variant" "$WARMUP_SECONDS" >/dev/null
	rm -f "$PRESENCE_PROFILE_DIR"/*.txt
	res=$(wrk_run "$B/req-$n.$variant" "$RUN_SECONDS")
	echo "$res" >&2
	sleep 1
	php "$HERE/profile-report.php" "$PRESENCE_PROFILE_DIR" "$(sed -E 's/.*"requests":([0-9]+).*/\1/' <<<"$res")" "${TOP:-30}"
	unset PHP_FPM_EXTRA_INI PRESENCE_PROFILE_DIR
	exit 0
fi

# ------------------------------------------------------------------ runs
: >"$B/results.jsonl"
: >"$B/prime.jsonl"
START=$(date -u +%s)
for rep in $(seq 1 "$REPS"); do
	for mode in $MODES; do
		set_mode "$mode"
		for n in $USERS; do
			php_like_fpm "$HERE/site.php" "$SITE" "$URL" reset "$B/users.tsv"
			log "rep $rep, $mode, $n users: priming"
			prime=$(php "$HERE/prime.php" "$URL" "$B/users.tsv" "$n" "$B/req-$n") || die "priming failed: $prime"
			printf '{"mode":"%s","users":%d,"rep":%d,"prime":%s}\n' "$mode" "$n" "$rep" "$prime" >>"$B/prime.jsonl"
			log "primed: $prime"
			wrk_run "$B/req-$n.steady" "$WARMUP_SECONDS" >/dev/null
			if [ "$mode" = off ]; then
				measure "$mode" "$n" steady "$rep" "$B/req-$n.steady"
			else
				for variant in $VARIANTS; do
					measure "$mode" "$n" "$variant" "$rep" "$B/req-$n.$variant"
				done
			fi
		done
	done
done
log "runs done in $(($(date -u +%s) - START)) s"

# ------------------------------------------------------------------ report
WP_VERSION=$("$ROOT/scripts/wp/fetch-wordpress.sh" 2>/dev/null)
php "$HERE/report.php" "$B/results.jsonl" "$B/prime.jsonl" "$WP_VERSION" "$*" >"$B/section.md"
cat "$B/section.md"
STAMP=$(date -u +%Y%m%dT%H%MZ)
cp "$B/results.jsonl" "$B/results-$STAMP.jsonl"
cp "$B/prime.jsonl" "$B/prime-$STAMP.jsonl"
if [ "${NO_REPORT:-0}" != 1 ]; then
	php "$HERE/report.php" --splice "$ROOT/benches/RESULTS.md" "$B/section.md"
	# the raw measurements behind the published tables
	mkdir -p "$HERE/data"
	cp "$B/results.jsonl" "$HERE/data/results.jsonl"
	cp "$B/prime.jsonl" "$HERE/data/prime.jsonl"
	log "benches/RESULTS.md updated (raw data in benches/e2e/data/)"
fi
