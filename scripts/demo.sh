#!/usr/bin/env bash
# Usage: scripts/demo.sh            (make demo)
#
# One command from a fresh Debian machine to a live presence demo on loopback:
#   1. installs the packages (scripts/install-deps.sh) when something is missing, and builds the
#      extension (make ext) when target/release/libpresence.so is missing;
#   2. starts MariaDB (127.0.0.1:33063, data in .build/demo/mariadb), php-fpm 8.2 with 4 workers and
#      the presence extension loaded through an ini (127.0.0.1:9103), nginx (127.0.0.1:8080);
#   3. installs WordPress 7.x in .build/sites/demo and activates the bridge;
#   4. seeds admin/password, 40 editors and 15 posts (scripts/demo/seed.php);
#   5. starts the mover (scripts/demo/mover.php): php-cli with the same extension ini and
#      presence.shm_path as php-fpm, ticking every editor every few seconds so they wander between
#      screens and posts and change status (online / idle / away / dnd);
#   6. prints the URL and the login.
# Idempotent: running it again keeps the running servers and data (and starts whatever is down);
# the mover is restarted.
# Stop everything with scripts/demo-stop.sh (make demo-stop).
#
# Environment: DEMO_HTTP_PORT (8080), DEMO_FPM_PORT (9103), DEMO_DB_PORT (33063), FPM_WORKERS (4),
#   MOVER_INTERVAL (3 s between rounds), MOVER_HOURS (8: the mover stops by itself after that),
#   DEMO_BACKEND=sql to run the demo without the extension (the bridge's SQL fallback).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
D="$ROOT/.build/demo"
SITE="$ROOT/.build/sites/demo"
HTTP_PORT=${DEMO_HTTP_PORT:-8080}
FPM_PORT=${DEMO_FPM_PORT:-9103}
DB_PORT=${DEMO_DB_PORT:-33063}
URL="http://127.0.0.1:$HTTP_PORT"
SO="$ROOT/target/release/libpresence.so"
STACK_STATE="$ROOT/.build/stack/$(basename "$SITE")"
export FPM_WORKERS=${FPM_WORKERS:-4}

log() { printf '[demo] %s\n' "$*" >&2; }

# 1. Packages and the extension.
missing=0
for bin in php php-fpm8.2 nginx mariadbd mariadb-install-db curl; do
	command -v "$bin" >/dev/null || missing=1
done
php -r 'exit(extension_loaded("mysqli") && extension_loaded("curl") ? 0 : 1);' 2>/dev/null || missing=1
if [ "$missing" = 1 ]; then
	log "installing packages (scripts/install-deps.sh)"
	"$ROOT/scripts/install-deps.sh"
fi
stack_args=()
if [ "${DEMO_BACKEND:-extension}" = sql ]; then
	stack_args=(--no-extension)
else
	if [ ! -f "$SO" ]; then
		log "building the extension (make ext)"
		make -C "$ROOT" ext
	fi
	[ -f "$SO" ] || { log "error: $SO was not built"; exit 1; }
fi

mkdir -p "$D"
exec 9>"$D/.lock"
flock 9

# 2./3. MariaDB, WordPress, php-fpm + nginx.
log "WordPress $("$ROOT/scripts/wp/fetch-wordpress.sh")"
"$ROOT/scripts/wp/mariadb.sh" start "$D/mariadb" "$DB_PORT" 9>&- # mariadbd must not hold our lock
"$ROOT/scripts/wp/make-site.sh" "$SITE" "$D/mariadb/mysqld.sock" presence_demo "$URL" >/dev/null
mkdir -p "$SITE/wp-content/mu-plugins"
cp "$ROOT/scripts/demo/mu-demo.php" "$SITE/wp-content/mu-plugins/presence-demo.php" # offline avatars
"$ROOT/scripts/stack/start.sh" "$SITE" "$FPM_PORT" "$HTTP_PORT" "${stack_args[@]}" >&2

# php-cli with exactly the ini php-fpm uses: the extension and the same presence.shm_path.
php_like_fpm() { "$ROOT/scripts/stack/php.sh" "$SITE" "$@"; }

# 4. People and posts.
php_like_fpm "$ROOT/scripts/demo/seed.php" "$SITE" "$URL"

# 5. The mover.
mover_alive() {
	local pid
	pid=$(cat "$D/mover.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'scripts/demo/mover.php'
}
# Always a fresh mover, so it runs the current code; it goes on between demo.sh runs otherwise.
if mover_alive; then
	kill -TERM "$(cat "$D/mover.pid")" 2>/dev/null || true
	for _ in $(seq 1 50); do mover_alive || break; sleep 0.1; done
fi
rm -f "$D/mover.ready"
# 9>&-: the mover must not inherit (and hold) this script's lock
PHP_INI_SCAN_DIR="$STACK_STATE/conf.d" setsid php "$ROOT/scripts/demo/mover.php" "$SITE" "$URL" "$D/mover.ready" \
	</dev/null >>"$D/mover.log" 2>&1 9>&- &
echo $! >"$D/mover.pid"
for _ in $(seq 1 300); do
	[ -f "$D/mover.ready" ] && break
	kill -0 "$(cat "$D/mover.pid")" 2>/dev/null || { log "error: the mover exited; see $D/mover.log"; tail -5 "$D/mover.log" >&2; exit 1; }
	sleep 0.1
done
log "mover started (pid $(cat "$D/mover.pid"), log $D/mover.log)"

backend=$(php_like_fpm -r '
	$_SERVER["HTTP_HOST"] = $argv[2]; require $argv[1] . "/wp-load.php";
	echo function_exists("wp_presence_backend") ? wp_presence_backend() : "bridge not active";' "$SITE" "127.0.0.1:$HTTP_PORT" 2>/dev/null || echo '?')
curl -fsS -o /dev/null "$URL/wp-login.php" || { log "error: $URL/wp-login.php does not answer"; exit 1; }
store=$(php_like_fpm -r 'if (function_exists("presence_stats")) { $s = presence_stats(); echo "shared store ", $s["path"], ": ", $s["entries"], " entries written by the php-cli mover, read by php-fpm"; }' 2>/dev/null || true)

cat <<MSG

  Presence demo is running (presence backend: $backend${store:+; $store}).

    URL:    $URL/wp-admin/
    Login:  admin / password        (the 40 editors, e.g. ada / password, work too)

  40 editors are moving between admin screens and posts and changing status.
  Stop everything with:  make demo-stop   (scripts/demo-stop.sh)

MSG
