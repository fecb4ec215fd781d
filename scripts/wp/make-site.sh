#!/usr/bin/env bash
# Usage: scripts/wp/make-site.sh SITE_DIR DB_SOCKET DB_NAME URL [--multisite]
#
# Creates (idempotently) a WordPress site in SITE_DIR:
#   - the core is hard-linked from .build/wordpress-src (run scripts/wp/fetch-wordpress.sh first;
#     this script runs it when the tree is missing), wp-content is a real directory;
#   - SITE_DIR/wp-config.php: database DB_NAME as root (no password) over DB_SOCKET, table prefix
#     wp_, WP_DEBUG on (logged to wp-content/debug.log, not displayed), DISABLE_WP_CRON, and no
#     WP_PRESENCE_* constant. It requires SITE_DIR/wp-config-extra.php first when that file exists,
#     so callers can add constants without editing wp-config.php;
#   - the database is created, WordPress installed with wp_install() (user admin / password,
#     admin@example.org), home and siteurl set to URL;
#   - --multisite: a sub-directory network on URL's host (with port), plugin network-activated;
#   - wp-content/plugins/presence is a symlink to this repository's wordpress-bridge/, activated.
# PHP is taken from $PHP (default "php"); it works with or without the presence extension loaded.
# Prints the site's URL on success.
set -euo pipefail

usage() { echo "usage: $0 SITE_DIR DB_SOCKET DB_NAME URL [--multisite]" >&2; exit 2; }
[ $# -ge 4 ] || usage
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
site="$1"
sock="$2"
dbname="$3"
url="${4%/}"
multisite=0
[ "${5:-}" = "--multisite" ] && multisite=1
PHP="${PHP:-php}"
read -r -a php_cmd <<<"$PHP"

[[ "$dbname" =~ ^[A-Za-z0-9_]+$ ]] || { echo "make-site: DB_NAME must match [A-Za-z0-9_]+" >&2; exit 2; }
[ -S "$sock" ] || { echo "make-site: no MariaDB socket at $sock (start scripts/wp/mariadb.sh first)" >&2; exit 1; }

src="$ROOT/.build/wordpress-src"
if [ ! -f "$src/.presence-fetched" ]; then
	"$ROOT/scripts/wp/fetch-wordpress.sh" >/dev/null
fi

mkdir -p "$site"
site="$(cd "$site" && pwd)"
sock="$(cd "$(dirname "$sock")" && pwd)/$(basename "$sock")"

# 1. Files: hard links for the core (cheap), a real wp-content.
if [ ! -f "$site/wp-settings.php" ]; then
	cp -al "$src/." "$site/" 2>/dev/null || cp -a "$src/." "$site/"
	rm -f "$site/.presence-fetched"
fi
mkdir -p "$site/wp-content/plugins" "$site/wp-content/mu-plugins" "$site/wp-content/uploads"
if [ ! -L "$site/wp-content/plugins/presence" ]; then
	rm -rf "$site/wp-content/plugins/presence"
	ln -s "$ROOT/wordpress-bridge" "$site/wp-content/plugins/presence"
fi

# 2. Database.
mariadb --no-defaults --protocol=socket -S "$sock" -uroot -e "CREATE DATABASE IF NOT EXISTS \`$dbname\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

hostport="$(echo "$url" | sed -E 's#^https?://##; s#/.*$##')"
path="$(echo "$url" | sed -E 's#^https?://[^/]+##')/"

write_config() { # $1 = 1 to write the multisite constants
	local ms="$1"
	{
		echo "<?php"
		echo "/* Written by scripts/wp/make-site.sh; rewritten on each run. */"
		echo "if ( file_exists( __DIR__ . '/wp-config-extra.php' ) ) {"
		echo "	require __DIR__ . '/wp-config-extra.php';"
		echo "}"
		echo "define( 'DB_NAME', '$dbname' );"
		echo "define( 'DB_USER', 'root' );"
		echo "define( 'DB_PASSWORD', '' );"
		echo "define( 'DB_HOST', 'localhost:$sock' );"
		echo "define( 'DB_CHARSET', 'utf8mb4' );"
		echo "define( 'DB_COLLATE', '' );"
		for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
			echo "define( '$k', '$(printf '%s' "$k$dbname$site" | sha256sum | cut -c1-48)' );"
		done
		echo "\$table_prefix = 'wp_';"
		echo "defined( 'WP_DEBUG' ) || define( 'WP_DEBUG', true );"
		echo "defined( 'WP_DEBUG_LOG' ) || define( 'WP_DEBUG_LOG', true );"
		echo "defined( 'WP_DEBUG_DISPLAY' ) || define( 'WP_DEBUG_DISPLAY', false );"
		echo "defined( 'DISABLE_WP_CRON' ) || define( 'DISABLE_WP_CRON', true );"
		echo "defined( 'AUTOMATIC_UPDATER_DISABLED' ) || define( 'AUTOMATIC_UPDATER_DISABLED', true );"
		echo "defined( 'WP_HTTP_BLOCK_EXTERNAL' ) || define( 'WP_HTTP_BLOCK_EXTERNAL', true );"
		echo "defined( 'WP_ENVIRONMENT_TYPE' ) || define( 'WP_ENVIRONMENT_TYPE', 'local' );"
		echo "if ( ! isset( \$_SERVER['HTTP_HOST'] ) ) {"
		echo "	\$_SERVER['HTTP_HOST'] = '$hostport'; // CLI scripts."
		echo "} elseif ( isset( \$_SERVER['SERVER_PORT'] ) && false === strpos( \$_SERVER['HTTP_HOST'], ':' ) && ! in_array( (string) \$_SERVER['SERVER_PORT'], array( '80', '443' ), true ) ) {"
		echo "	\$_SERVER['HTTP_HOST'] .= ':' . \$_SERVER['SERVER_PORT']; // Debian's fastcgi_params pass \$host, without the port."
		echo "}"
		if [ "$ms" = 1 ]; then
			echo "define( 'WP_ALLOW_MULTISITE', true );"
			echo "define( 'MULTISITE', true );"
			echo "define( 'SUBDOMAIN_INSTALL', false );"
			echo "define( 'DOMAIN_CURRENT_SITE', '$hostport' );"
			echo "define( 'PATH_CURRENT_SITE', '$path' );"
			echo "define( 'SITE_ID_CURRENT_SITE', 1 );"
			echo "define( 'BLOG_ID_CURRENT_SITE', 1 );"
		fi
		echo "if ( ! defined( 'ABSPATH' ) ) {"
		echo "	define( 'ABSPATH', __DIR__ . '/' );"
		echo "}"
		echo "require_once ABSPATH . 'wp-settings.php';"
	} >"$site/wp-config.php.tmp"
	mv "$site/wp-config.php.tmp" "$site/wp-config.php"
}

has_network() {
	[ -n "$(mariadb --no-defaults -S "$sock" -uroot -N -e "SELECT 1 FROM \`$dbname\`.wp_site LIMIT 1" 2>/dev/null)" ]
}

# 3. Install (single site first; a network is built on top of it).
if [ "$multisite" = 1 ] && has_network; then
	write_config 1
else
	write_config 0
fi
"${php_cmd[@]}" "$ROOT/scripts/wp/install-site.php" install "$site" "$url"
if [ "$multisite" = 1 ] && ! has_network; then
	"${php_cmd[@]}" "$ROOT/scripts/wp/install-site.php" network "$site" "$url"
	write_config 1
fi

# 4. Activate the bridge (network-wide on multisite).
"${php_cmd[@]}" "$ROOT/scripts/wp/install-site.php" activate "$site" "$url"
echo "$url"
