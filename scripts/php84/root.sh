#!/usr/bin/env bash
# Usage: scripts/php84/root.sh [--refresh]
#
# Idempotently puts Debian sid's PHP 8.4 in a private root, .build/php84/root, and prints the
# PHP version it holds (for example "8.4.27"). Progress goes to stderr. Nothing of the system's
# apt or dpkg state is used or changed:
#   - the packages are resolved from sid with a private apt state (.build/php84/apt) against an
#     empty dpkg status, so every dependency down to libc6 comes from sid;
#   - each .deb is unpacked with dpkg-deb -x (no maintainer script runs), and the root is then
#     laid out as the packages' postinst would: mods-available inis, cli/fpm conf.d links,
#     php.ini, and a dpkg status listing the packages (scripts/deb/test.sh installs into it);
#   - .build/php84/bin/{php,php-fpm,php-config} (also named php8.4, php-fpm8.4, php-config8.4)
#     run the root's binaries through the root's own dynamic loader and libraries, with
#     .build/php84/etc/{cli,fpm}/php.ini (extension_dir inside the root) and conf.d.
# The resolved package versions are in .build/php84/packages.txt. The root is reused until
# --refresh (or PHP84_REFRESH=1) fetches sid again; downloads stay cached in .build/php84/apt.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
BASE="$ROOT/.build/php84"
R="$BASE/root"
BIN="$BASE/bin"
ETC="$BASE/etc"
STATE="$BASE/apt"
API=20240924
# The runtime the tests need (WordPress: mysqli, xml, mbstring, curl, intl; the Redis backend),
# plus the userland dpkg runs maintainer scripts with when a package is installed into the root.
PACKAGES=(php8.4-cli php8.4-fpm php8.4-mysql php8.4-xml php8.4-mbstring php8.4-curl php8.4-intl php8.4-redis
	dash coreutils sed grep findutils diffutils debianutils dpkg base-files)
# Headers and php-config only: its compiler dependencies are the host's business.
NO_DEPS=(php8.4-dev)
# The layout number changes when layout() does, so an existing root is laid out again.
REQUEST="${PACKAGES[*]} | ${NO_DEPS[*]} | layout 2"
REFRESH="${PHP84_REFRESH:-0}"
[ "${1:-}" = --refresh ] && REFRESH=1

log() { echo "php84: $*" >&2; }
php_version() { "$BIN/php" -n -r 'echo PHP_VERSION, "\n";'; }
wrappers_current() {
	[ -f "$BIN/.stamp" ] && [ "$(cat "$BIN/.stamp")" = "$(sha256sum "$0" | cut -c1-16)" ]
}
root_current() {
	[ "$REFRESH" != 1 ] && [ -f "$R/.presence-root" ] && [ "$(head -n1 "$R/.presence-root")" = "$REQUEST" ]
}

if root_current && wrappers_current; then
	php_version
	exit 0
fi
mkdir -p "$BASE"
exec 9>"$BASE/.lock"
flock 9

fetch() {
	. "$ROOT/scripts/apt/lib.sh"
	: >"$STATE.status"
	private_apt_init "$STATE" sid "$STATE.status" || exit 1
	log "resolving ${PACKAGES[*]} from sid ($PRIVATE_APT_MIRROR)"
	private_apt_update "$STATE"
	local archives="$STATE/cache/archives" plan="$STATE/plan.txt"
	# The exact set, from apt's own plan: later the archive also holds older downloads.
	apt-get -qq -s "${PRIVATE_APT[@]}" install "${PACKAGES[@]}" | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' >"$plan"
	for p in "${NO_DEPS[@]}"; do
		apt-cache "${PRIVATE_APT[@]}" show --no-all-versions "$p" | sed -n "s/^Version: /$p /p" >>"$plan"
	done
	[ -s "$plan" ] || { log "apt resolved nothing"; return 1; }
	apt-get -qq "${PRIVATE_APT[@]}" -y --download-only install "${PACKAGES[@]}" >&2
	(cd "$archives" && apt-get -qq "${PRIVATE_APT[@]}" download "${NO_DEPS[@]}" >&2)
	local debs=() name version file
	while read -r name version; do
		file="$(ls "$archives/${name}_${version//:/%3a}_"*.deb 2>/dev/null | head -n1)"
		[ -n "$file" ] || { log "no download for $name $version"; return 1; }
		debs+=("$file")
	done <"$plan"
	# Older versions of the same packages would otherwise pile up across refreshes.
	for file in "$archives"/*.deb; do
		[[ " ${debs[*]} " == *" $file "* ]] || rm -f "$file"
	done

	log "unpacking ${#debs[@]} packages"
	local new="$R.new"
	rm -rf "$new"
	mkdir -p "$new"
	for file in "${debs[@]}"; do dpkg-deb -x "$file" "$new"; done
	layout "$new" "${debs[@]}"
	sort "$plan" >"$BASE/packages.txt"
	{ echo "$REQUEST"; echo "mirror $PRIVATE_APT_MIRROR"; } >"$new/.presence-root"
	rm -rf "$R"
	mv "$new" "$R"
}

# What the packages' postinst scripts would have done, as far as the tests need it.
layout() {
	local root="$1" file ini name prio sapi
	shift
	local admin="$root/var/lib/dpkg"
	mkdir -p "$admin/info" "$admin/updates" "$admin/triggers" "$root/etc/php/8.4/mods-available"
	: >"$admin/available"
	echo 1 >"$admin/info/format"
	: >"$admin/status"
	for file in "$@"; do
		dpkg-deb -f "$file" | awk 'NR == 1 { print; print "Status: install ok installed"; next } { print }' >>"$admin/status"
		echo >>"$admin/status"
	done
	for ini in "$root"/usr/share/php8.4-*/*/*.ini; do
		cp "$ini" "$root/etc/php/8.4/mods-available/"
	done
	for sapi in cli fpm; do
		mkdir -p "$root/etc/php/8.4/$sapi/conf.d"
		if [ "$sapi" = cli ]; then ini=php.ini-production.cli; else ini=php.ini-production; fi
		cp "$root/usr/lib/php/8.4/$ini" "$root/etc/php/8.4/$sapi/php.ini"
		for file in "$root"/etc/php/8.4/mods-available/*.ini; do
			name="$(basename "$file" .ini)"
			prio="$(sed -n 's/^;[[:space:]]*priority[[:space:]]*=[[:space:]]*\([0-9]\+\).*/\1/p' "$file" | head -n1)"
			# Absolute, as phpenmod makes them: valid inside the root (chroot, dpkg --root).
			ln -sfn "/etc/php/8.4/mods-available/$name.ini" "$root/etc/php/8.4/$sapi/conf.d/${prio:-20}-$name.ini"
			# phpenmod's record of it (`phpenmod -m -r`), which phpquery reads.
			mkdir -p "$root/var/lib/php/modules/8.4/$sapi/enabled_by_maint" "$root/var/lib/php/modules/8.4/registry"
			: >"$root/var/lib/php/modules/8.4/$sapi/enabled_by_maint/$name"
			: >"$root/var/lib/php/modules/8.4/registry/$name"
		done
	done
}

# The wrappers and their ini: outside the root, so the paths point into it.
wrappers() {
	local tmp="$BIN.new" sapi link file
	rm -rf "$tmp" "$ETC.new"
	mkdir -p "$tmp"
	local loader="$R/usr/lib64/ld-linux-x86-64.so.2"
	local libs="$R/usr/lib/x86_64-linux-gnu:$R/lib/x86_64-linux-gnu"
	for sapi in cli fpm; do
		mkdir -p "$ETC.new/$sapi/conf.d"
		{
			cat "$R/etc/php/8.4/$sapi/php.ini"
			echo
			echo "; scripts/php84/root.sh: the root's extensions, wherever the root is"
			echo "extension_dir = \"$R/usr/lib/php/$API\""
		} >"$ETC.new/$sapi/php.ini"
		for link in "$R/etc/php/8.4/$sapi/conf.d/"*.ini; do
			ln -s "$R$(readlink "$link")" "$ETC.new/$sapi/conf.d/$(basename "$link")"
		done
	done
	# --argv0 makes PHP_BINARY the wrapper, so PHP that starts PHP (tests, run-tests.php) stays
	# on 8.4 and on this loader. GCONV_PATH: iconv must load the root's modules, not the host's.
	# PHPRC and PHP_INI_SCAN_DIR are only defaults: scripts/stack/ sets its own scan dir.
	local sapi_bin
	for sapi_bin in "php:cli:usr/bin/php8.4" "php-fpm:fpm:usr/sbin/php-fpm8.4"; do
		IFS=: read -r name sapi file <<<"$sapi_bin"
		cat >"$tmp/$name" <<-SH
			#!/bin/sh
			# Generated by scripts/php84/root.sh: PHP 8.4 ($sapi) from the private root $R.
			export PHPRC="\${PHPRC:-$ETC/$sapi}"
			export PHP_INI_SCAN_DIR="\${PHP_INI_SCAN_DIR-$ETC/$sapi/conf.d}"
			export GCONV_PATH="$R/usr/lib/x86_64-linux-gnu/gconv"
			exec "$loader" --library-path "$libs" --argv0 "$BIN/$name" "$R/$file" "\$@"
		SH
	done
	# php-config with its prefix in the root; the SAPI list is fixed (no host dpkg query).
	sed -e "s#^prefix=\"/usr\"#prefix=\"$R/usr\"#" \
		-e "s#^datarootdir=\"/usr/share\"#datarootdir=\"$R/usr/share\"#" \
		-e "s#^ini_dir=.*#ini_dir=\"$ETC/cli/conf.d\"#" \
		-e "s#^ini_path=.*#ini_path=\"$ETC/cli\"#" \
		-e "s#^php_sapis=\$(dpkg-query.*#php_sapis=\"cli fpm\"#" \
		-e "s#^    php_cli_binary=.*#    php_cli_binary=\"$BIN/php\"#" \
		"$R/usr/bin/php-config8.4" >"$tmp/php-config"
	chmod 0755 "$tmp/php" "$tmp/php-fpm" "$tmp/php-config"
	ln -s php "$tmp/php8.4"
	ln -s php-fpm "$tmp/php-fpm8.4"
	ln -s php-config "$tmp/php-config8.4"
	sha256sum "$0" | cut -c1-16 >"$tmp/.stamp"
	rm -rf "$BIN" "$ETC"
	mv "$ETC.new" "$ETC"
	mv "$tmp" "$BIN"
}

# Plain statements, not `a || b` lists, so errexit holds inside the functions.
if ! root_current; then fetch; fi
if ! wrappers_current || [ "$BIN/.stamp" -ot "$R/.presence-root" ]; then wrappers; fi
version="$(php_version)" || { log "the root's php does not run: $("$BIN/php" -n -v 2>&1 | head -n 3)"; exit 1; }
[ "$("$BIN/php-config" --extension-dir)" = "$R/usr/lib/php/$API" ] || { log "php-config does not point into the root"; exit 1; }
echo "$version" >"$BASE/VERSION"
log "PHP $version in $R"
echo "$version"
