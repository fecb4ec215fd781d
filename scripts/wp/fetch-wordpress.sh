#!/usr/bin/env bash
# Usage: scripts/wp/fetch-wordpress.sh
#
# Idempotently puts a plain WordPress tree (no Debian symlinks) in .build/wordpress-src/
# and prints its version (for example "7.1.4") on stdout. Progress goes to stderr.
#
# WordPress 7.x comes from Debian sid's `wordpress` package, fetched with a private apt
# state directory, from the Debian mirror the system's apt sources name (the system's apt
# state is left untouched). If sid cannot be reached, bookworm's 6.1 package is used instead.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$ROOT/.build"
DEST="$BUILD/wordpress-src"
WORK="$BUILD/wp-fetch"

print_version() {
	php -r 'include $argv[1]; echo $wp_version, "\n";' "$DEST/wp-includes/version.php"
}

if [ -f "$DEST/wp-includes/version.php" ] && [ -f "$DEST/.presence-fetched" ]; then
	print_version
	exit 0
fi

mkdir -p "$WORK"
# Serialise concurrent callers (several test suites may call this at once).
exec 9>"$BUILD/wp-fetch.lock"
flock 9
if [ -f "$DEST/wp-includes/version.php" ] && [ -f "$DEST/.presence-fetched" ]; then
	print_version
	exit 0
fi

# The mirror comes from the system's own apt sources (scripts/apt/debian-mirror.sh): a host that
# names none gets a clear message, never a guessed mirror.
. "$ROOT/scripts/apt/lib.sh"
"$ROOT/scripts/apt/debian-mirror.sh" >/dev/null || exit 1

fetch_suite() {
	local suite="$1" state="$WORK/apt-$1"
	mkdir -p "$state/debs"
	private_apt_init "$state" "$suite" || return 1
	local opts=("${PRIVATE_APT[@]}") mirror="$PRIVATE_APT_MIRROR"
	echo "fetch-wordpress: apt update ($suite from $mirror)" >&2
	private_apt_update "$state" || return 1
	rm -f "$state/debs"/*.deb
	(cd "$state/debs" && apt-get -qq "${opts[@]}" download "wordpress/$suite" "libphp-phpmailer/$suite" "php-getid3/$suite" >&2) || return 1
	# The JS libraries Debian links into wp-includes/js, and the default theme: nice to have, not fatal.
	local extra
	for extra in libjs-underscore libjs-lodash libjs-jquery-ui libjs-cropper wordpress-theme-twentytwentyfive; do
		(cd "$state/debs" && apt-get -qq "${opts[@]}" download "$extra/$suite" >&2) || echo "fetch-wordpress: warning: $extra not downloaded" >&2
	done
	ls "$state/debs"/wordpress_*.deb >/dev/null 2>&1 || return 1
	local unpack="$WORK/unpack-$suite"
	rm -rf "$unpack"
	mkdir -p "$unpack"
	for deb in "$state/debs"/*.deb; do
		dpkg-deb -x "$deb" "$unpack"
	done
	# Copy into a plain tree: -L dereferences Debian's symlinks into the files they point to.
	local tmp="$DEST.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	( cd "$unpack/usr/share/wordpress" && cp -rL --no-preserve=ownership . "$tmp/" ) 2>"$WORK/cp-errors.log" || true
	# Dangling links (to /etc/wordpress, /var/lib/wordpress) are skipped by cp -L; make sure the core is whole.
	[ -f "$tmp/wp-includes/version.php" ] && [ -f "$tmp/wp-settings.php" ] || return 1
	[ -f "$tmp/wp-includes/PHPMailer/PHPMailer.php" ] || echo "fetch-wordpress: warning: PHPMailer missing" >&2
	rm -f "$tmp/wp-config.php" "$tmp/.htaccess"
	# Debian keeps wp-content under /var/lib/wordpress and themes under /usr/share/wordpress/wp-content.
	for d in "$unpack/var/lib/wordpress/wp-content" "$unpack/usr/share/wordpress/wp-content"; do
		[ -d "$d" ] && cp -rL --no-preserve=ownership "$d/." "$tmp/wp-content/" 2>>"$WORK/cp-errors.log" || true
	done
	mkdir -p "$tmp/wp-content/plugins" "$tmp/wp-content/themes" "$tmp/wp-content/uploads"
	rm -rf "$DEST"
	mv "$tmp" "$DEST"
	echo "$suite $(basename "$state"/debs/wordpress_*.deb)" > "$DEST/.presence-fetched"
	return 0
}

if ! fetch_suite sid; then
	echo "fetch-wordpress: sid failed, falling back to bookworm" >&2
	fetch_suite bookworm || { echo "fetch-wordpress: could not fetch WordPress" >&2; exit 1; }
fi
print_version
