#!/usr/bin/env bash
# Usage: tests/bridge/run.sh [extra phpunit arguments, e.g. --filter RestTest]
#
# The bridge's PHPUnit suite against a real WordPress (scripts/wp/fetch-wordpress.sh) and a
# private MariaDB (127.0.0.1:33061), in four passes:
#   1. extension   single site, php loaded with target/release/libpresence.so
#   2. sql         single site, no extension (the SQL fallback)
#   3. redis       single site, no extension, WP_PRESENCE_BACKEND=redis on a private
#                  redis-server (127.0.0.1:6391, no persistence), set in wp-config-extra.php
#   4. multisite   a sub-directory network (extension when built, SQL otherwise)
# plus, on request only, redis-multisite (the network on the Redis backend).
# Each pass gets a fresh database and site, and php-fpm (4 workers, :9101) + nginx (:8101)
# from scripts/stack/ for the HTTP tests (cross-worker Heartbeat, REST headers).
#
# Exits non-zero if any pass fails, or if the extension is not built (set
# BRIDGE_TESTS_ALLOW_NO_EXTENSION=1 to run the SQL passes only). Every process it started is
# stopped on exit. State lives in .build/bridge-test/.
#
# Environment: PRESENCE_SO (default target/release/libpresence.so), BRIDGE_PASSES
# (default "extension sql redis multisite"), PHP_BIN (default php) and, for the stack,
# PHP_FPM_BIN and SYSTEM_CONF_D (scripts/stack/start.sh).
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
STATE="$ROOT/.build/bridge-test"
DB_STATE="$STATE/db"
DB_PORT=33061
FPM_PORT=9101
HTTP_PORT=8101
REDIS_PORT=6391
REDIS_STATE="$STATE/redis"
URL="http://127.0.0.1:$HTTP_PORT"
SO="${PRESENCE_SO:-$ROOT/target/release/libpresence.so}"
SHM="/dev/shm/presence-bridge-tests"
PASSES="${BRIDGE_PASSES:-extension sql redis multisite}"
PHPUNIT="${PHPUNIT:-$(command -v phpunit || echo /usr/bin/phpunit)}"
mkdir -p "$STATE"

STACK_SITE=""
REDIS_PID=""
stop_redis() {
	local pid="$REDIS_PID"
	# A server left over by a killed run: only ours (its pid file, redis-server on our port).
	if [ -z "$pid" ] && [ -f "$REDIS_STATE/redis.pid" ]; then
		pid="$(cat "$REDIS_STATE/redis.pid" 2>/dev/null || true)"
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "redis-server.*:$REDIS_PORT" || pid=""
	fi
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	REDIS_PID=""
	rm -f "$REDIS_STATE/redis.pid"
}
start_redis() {
	stop_redis
	mkdir -p "$REDIS_STATE"
	command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; return 1; }
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
		--dir "$REDIS_STATE" --pidfile "$REDIS_STATE/redis.pid" --logfile "$REDIS_STATE/redis.log" </dev/null &
	REDIS_PID=$!
	echo "$REDIS_PID" >"$REDIS_STATE/redis.pid"
	for _ in $(seq 50); do
		# Ours answering, not some other server already on the port.
		[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" = "$REDIS_PID" ] && return 0
		kill -0 "$REDIS_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "redis-server did not start on 127.0.0.1:$REDIS_PORT (see $REDIS_STATE/redis.log)" >&2
	return 1
}
cleanup() {
	if [ -n "$STACK_SITE" ]; then
		REMOVE_SHM=1 "$ROOT/scripts/stack/stop.sh" "$STACK_SITE" >/dev/null 2>&1 || true
		STACK_SITE=""
	fi
	"$ROOT/scripts/wp/mariadb.sh" stop "$DB_STATE" "$DB_PORT" >/dev/null 2>&1 || true
	stop_redis
	rm -f "$SHM"
}
CHILDREN=()
on_signal() {
	local pid
	for pid in "${CHILDREN[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

echo "== bridge tests: WordPress $("$ROOT/scripts/wp/fetch-wordpress.sh" 2>/dev/null || echo '?')"
"$ROOT/scripts/wp/mariadb.sh" start "$DB_STATE" "$DB_PORT" || { echo "cannot start MariaDB" >&2; exit 1; }

have_ext=0
[ -f "$SO" ] && have_ext=1
PHP_BIN="${PHP_BIN:-php}"
PHP_EXT=("$PHP_BIN" -d "extension=$SO" -d "presence.shm_path=$SHM" -d presence.debug_clock=1)
PHP_SQL=("$PHP_BIN")

failures=0
summary=()

run_pass() { # name backend multisite(0|1)
	local name="$1" backend="$2" ms="$3"
	shift 3
	local site="$STATE/bridge-test-$name" db="presence_bridge_${name//-/_}"
	local php_cmd=("${PHP_SQL[@]}") stack_flag=(--no-extension)
	if [ "$backend" = extension ]; then
		php_cmd=("${PHP_EXT[@]}")
		stack_flag=()
	fi
	echo
	echo "== pass $name: backend $backend$([ "$ms" = 1 ] && echo ', multisite')"
	rm -f "$SHM"
	mariadb --no-defaults -S "$DB_STATE/mysqld.sock" -uroot -e "DROP DATABASE IF EXISTS \`$db\`"
	rm -rf "$site"
	if [ "$backend" = redis ]; then
		if ! start_redis; then
			failures=$((failures + 1)); summary+=("$name: REDIS DID NOT START"); return
		fi
	fi
	# make-site.sh requires wp-config-extra.php before anything else, in every PHP process
	# (CLI, php-fpm, the tests' subprocesses): test mode (the clock may move, WP_Presence_Testing
	# loads) everywhere, and the Redis backend on the Redis passes.
	mkdir -p "$site"
	{
		echo "<?php"
		echo "defined( 'WP_PRESENCE_TESTING' ) || define( 'WP_PRESENCE_TESTING', true );"
		if [ "$backend" = redis ]; then
			echo "defined( 'WP_PRESENCE_BACKEND' ) || define( 'WP_PRESENCE_BACKEND', 'redis' );"
			echo "defined( 'WP_PRESENCE_REDIS' ) || define( 'WP_PRESENCE_REDIS', array( 'host' => '127.0.0.1', 'port' => $REDIS_PORT, 'prefix' => 'wp_presence_test:' ) );"
		fi
	} >"$site/wp-config-extra.php"
	local ms_flag=()
	[ "$ms" = 1 ] && ms_flag=(--multisite)
	if ! PHP="${php_cmd[*]}" "$ROOT/scripts/wp/make-site.sh" "$site" "$DB_STATE/mysqld.sock" "$db" "$URL" "${ms_flag[@]}" >/dev/null; then
		echo "pass $name: could not create the site" >&2
		failures=$((failures + 1)); summary+=("$name: SITE SETUP FAILED"); return
	fi
	# Test-only mu-plugin: says which php-fpm worker served a request.
	cp "$ROOT/tests/bridge/fixtures/presence-test-worker.php" "$site/wp-content/mu-plugins/"

	local http=0 fpm_log="$ROOT/.build/stack/$(basename "$site")/php-error.log" fpm_log_start=0
	[ -f "$fpm_log" ] && fpm_log_start=$(stat -c %s "$fpm_log")
	if [ -x "$ROOT/scripts/stack/start.sh" ]; then
		if FPM_WORKERS=4 PRESENCE_SO="$SO" "$ROOT/scripts/stack/start.sh" "$site" "$FPM_PORT" "$HTTP_PORT" "${stack_flag[@]}" >/dev/null; then
			STACK_SITE="$site"
			http=1
		else
			echo "pass $name: php-fpm/nginx did not start; the HTTP tests will fail" >&2
		fi
	fi

	local log="$STATE/phpunit-$name.log"
	# PHPUnit runs in the background (so a signal reaches the trap at once) and its output is
	# streamed from the log.
	: >"$log"
	PRESENCE_TEST_SITE="$site" PRESENCE_TEST_URL="$URL" PRESENCE_TEST_SO="$SO" PRESENCE_TEST_BACKEND="$backend" \
		PRESENCE_TEST_MULTISITE="$ms" PRESENCE_TEST_HTTP="$http" \
		"${php_cmd[@]}" "$PHPUNIT" -c "$ROOT/tests/bridge/phpunit.xml.dist" "$@" >"$log" 2>&1 </dev/null &
	local phpunit_pid=$!
	tail --pid="$phpunit_pid" -n +1 -f "$log" &
	local tail_pid=$!
	CHILDREN=("$phpunit_pid" "$tail_pid")
	local rc=0
	wait "$phpunit_pid" || rc=$?
	wait "$tail_pid" 2>/dev/null || true
	CHILDREN=()
	# PHP errors the bridge caused anywhere (CLI or php-fpm) fail the pass too.
	local php_errors
	php_errors="$( { cat "$site/wp-content/debug.log" 2>/dev/null; [ -f "$fpm_log" ] && tail -c +$((fpm_log_start + 1)) "$fpm_log"; } |
		grep -E 'PHP (Fatal|Warning|Notice|Deprecated|Parse)' | grep -E 'wordpress-bridge|plugins/presence/|presence</code>' | sort -u | head -n 20 || true)"
	if [ -n "$php_errors" ]; then
		echo "pass $name: PHP errors from the bridge:"
		echo "$php_errors"
		[ "$rc" -eq 0 ] && rc=3
	fi
	local line
	line="$(grep -E '^(OK \(|Tests: |OK, but)' "$log" | tail -n1)"
	if [ "$rc" -ne 0 ]; then
		failures=$((failures + 1))
		summary+=("$name: FAILED (exit $rc) ${line}")
	else
		summary+=("$name: OK ${line#OK }")
	fi
	if [ -n "$STACK_SITE" ]; then
		REMOVE_SHM=1 "$ROOT/scripts/stack/stop.sh" "$STACK_SITE" >/dev/null 2>&1 || true
		STACK_SITE=""
	fi
	if [ "$backend" = redis ]; then stop_redis; fi
}

for pass in $PASSES; do
	case "$pass" in
	extension)
		if [ "$have_ext" = 1 ]; then
			run_pass extension extension 0 "$@"
		else
			summary+=("extension: NOT RUN ($SO missing; run 'make ext')")
			[ "${BRIDGE_TESTS_ALLOW_NO_EXTENSION:-0}" = 1 ] || failures=$((failures + 1))
		fi
		;;
	sql) run_pass sql sql 0 "$@" ;;
	redis) run_pass redis redis 0 "$@" ;;
	redis-multisite) run_pass redis-multisite redis 1 "$@" ;; # Not in the default passes.
	multisite)
		if [ "$have_ext" = 1 ]; then run_pass multisite extension 1 "$@"; else run_pass multisite sql 1 "$@"; fi
		;;
	*) echo "unknown pass $pass" >&2; failures=$((failures + 1)) ;;
	esac
done

echo
echo "== bridge tests summary"
for s in "${summary[@]}"; do echo "  $s"; done
if [ "$failures" -ne 0 ]; then
	echo "== bridge tests: $failures pass(es) failed"
	exit 1
fi
echo "== bridge tests: all passes OK"
