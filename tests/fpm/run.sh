#!/usr/bin/env bash
# php-fpm with 4 static workers on loopback: an entry written through one worker is read through
# every other worker and through php-cli, and a php-cli write is read through every worker. A second
# pool with a single worker shows that worker surviving fatal errors raised inside presence calls.
# PHP_BIN / PHP_FPM_BIN choose the PHP (default: Debian's 8.2; the PHP 8.4 lane passes its own).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
php_bin=${PHP_BIN:-php8.2}
fpm_bin=${PHP_FPM_BIN:-php-fpm8.2}
so=${PRESENCE_SO:-$root/target/release/libpresence.so}
port=${FPM_TEST_PORT:-9190}
single_port=$((port + 1))
state=$root/.build/fpm-test
shm=/dev/shm/presence-fpm-test
mkdir -p "$state"
rm -f "$shm"

pool() { # name, port, workers
	cat <<POOL
[$1]
listen = 127.0.0.1:$2
pm = static
pm.max_children = $3
php_admin_value[presence.shm_path] = $shm
php_admin_value[presence.debug_clock] = 1
POOL
}
{
	printf '[global]\npid = %s\nerror_log = %s\ndaemonize = no\n' "$state/fpm.pid" "$state/fpm.log"
	pool probe "$port" 4
	pool single "$single_port" 1
} > "$state/fpm.conf"
# The extension must be loaded before the pool is read (php.ini or -d), or php_admin_value[presence.*] is ignored.
"$fpm_bin" -F -R -n -d extension="$so" -y "$state/fpm.conf" &
fpm=$!
trap 'kill $fpm 2>/dev/null; wait $fpm 2>/dev/null; rm -f "$shm"' EXIT
for _ in $(seq 50); do
	nc -z 127.0.0.1 "$port" 2>/dev/null && nc -z 127.0.0.1 "$single_port" 2>/dev/null && break
	sleep 0.1
done

request() { # query-string [port] → JSON line
	SCRIPT_FILENAME=$root/tests/fpm/probe.php REQUEST_METHOD=GET QUERY_STRING="$1" \
		cgi-fcgi -bind -connect "127.0.0.1:${2:-$port}" | sed -n '/^{/p'
}
field() { # JSON line on stdin, field name → value (lists joined by commas)
	"$php_bin" -n -r '$j = json_decode(fgets(STDIN), true); $v = $j[$argv[1]] ?? ""; echo is_array($v) ? implode(",", $v) : $v;' "$1"
}
cli() {
	"$php_bin" -n -d extension="$so" -d presence.shm_path="$shm" -d presence.debug_clock=1 -r "$1"
}

passed=0
failed=0
check() { # name, condition-result
	if [ "$2" = yes ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

# Reads through all four workers at once: each request holds its worker, so every worker takes one.
read_all_workers() { # room → lines "pid seen-json"
	local out=$state/round
	for round in 1 2 3 4 5; do
		rm -f "$out".*
		for i in 1 2 3 4; do request "op=read&room=$1&hold=400" > "$out.$i" & done
		wait
		local pids
		pids=$(cat "$out".* | "$php_bin" -n -r 'while ($l = fgets(STDIN)) { echo json_decode($l)->pid, "\n"; }' | sort -u | wc -l)
		if [ "$pids" -eq 4 ]; then cat "$out".*; return 0; fi
	done
	cat "$out".*
}

writer=$(request "op=write&room=shared&client=from-fpm&uid=7")
writer_pid=$(echo "$writer" | "$php_bin" -n -r 'echo json_decode(fgets(STDIN))->pid;')
cli_version=$("$php_bin" -n -r 'echo PHP_VERSION;')
fpm_version=$(echo "$writer" | "$php_bin" -n -r 'echo json_decode(fgets(STDIN))->php;')
echo "php-fpm workers: PHP $fpm_version, php-cli: PHP $cli_version"
check "php-fpm and php-cli run the same PHP" "$([ -n "$fpm_version" ] && [ "$fpm_version" = "$cli_version" ] && echo yes || echo no)"
lines=$(read_all_workers shared)
workers=$(echo "$lines" | "$php_bin" -n -r '$p = []; while ($l = fgets(STDIN)) { $p[json_decode($l)->pid] = 1; } echo count($p);')
check "four distinct workers answered" "$([ "$workers" -eq 4 ] && echo yes || echo no)"
others=$(echo "$lines" | WRITER="$writer_pid" "$php_bin" -n -r '$n = 0; while ($l = fgets(STDIN)) { $j = json_decode($l); if ($j->pid != getenv("WRITER") && in_array("from-fpm", $j->seen, true)) $n++; } echo $n;')
check "every other worker sees the entry written by worker $writer_pid" "$([ "$others" -ge 3 ] && echo yes || echo no)"
check "php-cli sees the entry written through php-fpm" \
	"$(cli 'echo presence_get("shared", "from-fpm")["data"]["via"] === "fpm" ? "yes" : "no";')"

cli 'presence_upsert("shared", "from-cli", 8, ["via" => "cli"]);'
lines=$(read_all_workers shared)
seen_cli=$(echo "$lines" | "$php_bin" -n -r '$p = []; while ($l = fgets(STDIN)) { $j = json_decode($l); if (in_array("from-cli", $j->seen, true)) $p[$j->pid] = 1; } echo count($p);')
check "all four workers see the entry written by php-cli" "$([ "$seen_cli" -eq 4 ] && echo yes || echo no)"

cli 'presence_debug_advance(61);'
after=$(request "op=read&room=shared")
check "a clock moved from php-cli expires entries for the workers too" \
	"$(echo "$after" | "$php_bin" -n -r 'echo json_decode(fgets(STDIN))->seen === [] ? "yes" : "no";')"
check "the segment is owner-only" "$([ "$(stat -c %a "$shm")" = 600 ] && echo yes || echo no)"

# A replaced segment (deleted and created again by php-cli, as a resize does) is picked up by every
# worker on its next request, without a restart.
rm -f "$shm"
cli 'presence_upsert("shared", "after-replace", 9);'
lines=$(read_all_workers shared)
fresh=$(echo "$lines" | "$php_bin" -n -r '$p = []; while ($l = fgets(STDIN)) { $j = json_decode($l); if ($j->seen === ["after-replace"]) $p[$j->pid] = 1; } echo count($p);')
check "all four workers map the replaced segment on their next request" "$([ "$fresh" -eq 4 ] && echo yes || echo no)"

# Fatal errors inside a call: the request ends with PHP's fatal, the same worker serves the next one.
request "op=fill&room=big&n=1000" "$single_port" >/dev/null
single_pid=$(request "op=read&room=big" "$single_port" | field pid)
for op in bomb oom; do
	body=$(SCRIPT_FILENAME=$root/tests/fpm/probe.php REQUEST_METHOD=GET QUERY_STRING="op=$op&room=big" \
		cgi-fcgi -bind -connect "127.0.0.1:$single_port")
	died=$(echo "$body" | sed -n '/^{/p' | field pid)
	after=$(request "op=read&room=big" "$single_port")
	check "a fatal error in a request using presence ($op) ends only its request; the worker serves the next one" \
		"$(echo "$body" | grep -q 'Fatal error' && [ "$died" = "$single_pid" ] &&
			[ "$(echo "$after" | field pid)" = "$single_pid" ] &&
			[ "$(echo "$after" | field seen | awk -F, '{ print NF }')" = 1000 ] && echo yes || echo no)"
done
check "no worker crashed" "$(grep -qE 'exited (on signal|with code)' "$state/fpm.log" && echo no || echo yes)"

echo "fpm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
