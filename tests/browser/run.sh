#!/usr/bin/env bash
# Usage: tests/browser/run.sh [--no-extension] [--screenshots]
#
# Real-browser tests of the presence admin UI: headless Debian Chromium (/usr/bin/chromium,
# never downloaded) driven by playwright-core from npm, against a private WordPress on loopback.
#
#   MariaDB  127.0.0.1:33062   state in .build/browser/db
#   php-fpm  127.0.0.1:9102    4 workers, presence extension loaded (scripts/stack/start.sh)
#   nginx    127.0.0.1:8102    site in .build/browser/presence-browser
#   shm      /dev/shm/presence-browser-tests (presence.debug_clock=1)
#
# --no-extension  run against the bridge's SQL fallback instead of the extension (this is also
#                 what happens, with a warning, when target/release/libpresence.so is missing)
# --screenshots   also copy the screenshots to docs/ (they always land in .build/browser/screenshots)
# BROWSER_SPECS=tabs  runs only specs/tabs.test.js (a glob over the spec names)
# BROWSER_MULTISITE=1  a sub-directory network instead (.build/browser/presence-browser-ms): runs
#                      specs/network.test.js (the network widget, its screenshot), which skips otherwise
#
# Every process started here is stopped by the EXIT trap. A spec file that fails runs once more;
# exits non-zero when one fails twice (a spec that passed on its second run is named FLAKY).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
STATE="$ROOT/.build/browser"
SITE="$STATE/presence-browser"
DB_NAME=presence_browser
if [ "${BROWSER_MULTISITE:-0}" = 1 ]; then # A sub-directory network, in a site of its own.
	SITE="$STATE/presence-browser-ms"
	DB_NAME=presence_browser_ms
fi
DB_STATE="$STATE/db"
DB_PORT=33062
FPM_PORT=9102
HTTP_PORT=8102
URL="http://127.0.0.1:$HTTP_PORT"
SHM_PATH=/dev/shm/presence-browser-tests
SO="$ROOT/target/release/libpresence.so"

extension=1
screenshots=0
for arg in "$@"; do
	case "$arg" in
		--no-extension) extension=0 ;;
		--screenshots) screenshots=1 ;;
		*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
if [ "$extension" = 1 ] && [ ! -f "$SO" ]; then
	echo "browser tests: $SO is missing (run 'make ext'); using the SQL fallback" >&2
	extension=0
fi

for bin in node npm php mariadb php-fpm8.2 nginx curl; do
	command -v "$bin" >/dev/null || { echo "browser tests: $bin not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
if [ ! -x /usr/bin/chromium ]; then
	echo "browser tests: installing Debian's chromium" >&2
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
fi

mkdir -p "$STATE"
started_db=0
started_stack=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$started_stack" = 1 ]; then
		"$ROOT/scripts/stack/stop.sh" "$SITE" >/dev/null 2>&1 || echo "browser tests: stopping the stack failed" >&2
	fi
	if [ "$started_db" = 1 ]; then
		"$ROOT/scripts/wp/mariadb.sh" stop "$DB_STATE" "$DB_PORT" >/dev/null 2>&1 || echo "browser tests: stopping MariaDB failed" >&2
	fi
	rm -f "$SHM_PATH"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. playwright-core (no browser download: the package has none, and we use /usr/bin/chromium).
(
	cd "$HERE"
	if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
		npm ci --no-audit --no-fund --loglevel=error >&2
	fi
)

# 2. WordPress, MariaDB, the site with the bridge active, the test helpers and fixtures.
"$ROOT/scripts/wp/fetch-wordpress.sh" >/dev/null
started_db=1
"$ROOT/scripts/wp/mariadb.sh" start "$DB_STATE" "$DB_PORT"
mkdir -p "$SITE"
cat >"$SITE/wp-config-extra.php" <<'PHP'
<?php
/* Written by tests/browser/run.sh. */
define( 'WP_PRESENCE_BROWSER_TESTS', true );
// Debian's fastcgi_params pass HTTP_HOST without the port; put it back so canonical
// redirects on the front end do not loop.
if ( isset( $_SERVER['HTTP_HOST'], $_SERVER['SERVER_PORT'] ) && false === strpos( $_SERVER['HTTP_HOST'], ':' ) && '80' !== (string) $_SERVER['SERVER_PORT'] ) {
	$_SERVER['HTTP_HOST'] .= ':' . $_SERVER['SERVER_PORT'];
}
PHP
ms_args=()
[ "${BROWSER_MULTISITE:-0}" = 1 ] && ms_args+=(--multisite)
"$ROOT/scripts/wp/make-site.sh" "$SITE" "$DB_STATE/mysqld.sock" "$DB_NAME" "$URL" "${ms_args[@]}" >/dev/null
mkdir -p "$SITE/wp-content/mu-plugins" "$SITE/wp-content/uploads/presence-test-avatars"
cp "$HERE/fixtures/presence-browser-tests.php" "$SITE/wp-content/mu-plugins/"
cp "$HERE/fixtures/presence-owner-tests.php" "$SITE/wp-content/mu-plugins/"
cp "$HERE/fixtures/presence-network-tests.php" "$SITE/wp-content/mu-plugins/"
cp "$HERE"/fixtures/avatars/*.svg "$SITE/wp-content/uploads/presence-test-avatars/"
php "$HERE/fixtures/setup.php" "$SITE" >"$STATE/setup.json"

# 3. php-fpm + nginx, with a fresh presence segment.
rm -f "$SHM_PATH"
stack_args=()
[ "$extension" = 1 ] || stack_args+=(--no-extension)
started_stack=1
# 12 workers, not 4: nginx keeps up to 8 idle FastCGI connections (keepalive 8, fastcgi_keep_conn),
# and each pins a php-fpm worker, so with 4 workers a 5th concurrent request (two users, several
# tabs, Heartbeat every 5 s) waits in the listen queue until an idle connection times out (60 s).
FPM_WORKERS=${BROWSER_FPM_WORKERS:-12} PRESENCE_SO="$SO" PRESENCE_SHM_PATH="$SHM_PATH" \
	"$ROOT/scripts/stack/start.sh" "$SITE" "$FPM_PORT" "$HTTP_PORT" "${stack_args[@]}" >/dev/null

# 4. The tests (on a network, the network spec; on a single site, every spec, which skips it).
default_specs='*'
[ "${BROWSER_MULTISITE:-0}" = 1 ] && default_specs=network
rm -rf "$STATE/screenshots" "$STATE/artifacts"
mkdir -p "$STATE/screenshots" "$STATE/artifacts"
echo "browser tests: WordPress $(php -r 'include $argv[1]; echo $wp_version;' "$SITE/wp-includes/version.php"), backend $([ "$extension" = 1 ] && echo extension || echo sql), $URL" >&2
export PRESENCE_TEST_URL="$URL" \
	PRESENCE_TEST_SETUP="$STATE/setup.json" \
	PRESENCE_TEST_SCREENSHOTS="$STATE/screenshots" \
	PRESENCE_TEST_ARTIFACTS="$STATE/artifacts" \
	PRESENCE_TEST_BACKEND="$([ "$extension" = 1 ] && echo extension || echo sql)" \
	PRESENCE_TEST_MULTISITE="${BROWSER_MULTISITE:-0}"
# One spec file at a time (each sets up its own users and state). A spec that fails runs once
# more: a real browser sharing two cores with the server can miss a timing. It is named below
# either way, and a failure that repeats fails the run.
failed=()
for spec in "$HERE"/specs/${BROWSER_SPECS:-$default_specs}.test.js; do
	node --test "$spec" || failed+=("$spec")
done
again=()
for spec in "${failed[@]}"; do
	echo "browser tests: $(basename "$spec") failed; running it once more" >&2
	node --test "$spec" || again+=("$spec")
done
for spec in "${failed[@]}"; do
	if [[ " ${again[*]} " != *" $spec "* ]]; then
		echo "browser tests: FLAKY: $(basename "$spec") failed once, then passed (its first output is above)" >&2
	fi
done
if [ "${#again[@]}" != 0 ]; then
	echo "browser tests: FAILED twice: $(for spec in "${again[@]}"; do basename "$spec"; done | tr '\n' ' ')(logs: $ROOT/.build/stack/presence-browser/, $SITE/wp-content/debug.log, $STATE/artifacts/)" >&2
	exit 1
fi
if [ "$screenshots" = 1 ]; then
	cp "$STATE"/screenshots/*.png "$ROOT/docs/"
	echo "browser tests: screenshots copied to docs/" >&2
fi
