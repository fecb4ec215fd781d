#!/usr/bin/env bash
# Usage: scripts/deb/build.sh [PHP_VERSION]     (8.2, the default, or 8.4)
#
# Builds target/deb/phpX.Y-presence_<version>_<arch>.deb with dpkg-deb from a staged tree, the
# version taken from Cargo.toml:
#   /usr/lib/php/<phpapi>/presence.so                  the release build, stripped
#   /etc/php/X.Y/mods-available/presence.ini           conffile: extension=presence.so and every
#                                                      setting documented, commented out
#   /usr/share/doc/phpX.Y-presence/{copyright,changelog.Debian.gz}
#   DEBIAN/{control,conffiles,md5sums,postinst,prerm,postrm}  from packaging/debian/
# Depends: php-common, phpX.Y-common, phpapi-<phpapi> (the virtual package that PHP's SAPI
# packages provide, so the .so only installs next to the PHP it was built for) and the
# shared-library dependencies dpkg-shlibdeps finds.
#
# 8.2 builds against the system's PHP (target/release); 8.4 against sid's PHP 8.4 from the
# private root of scripts/php84/root.sh (target/php84). Prints the .deb's path.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
PHPV="${1:-8.2}"
case "$PHPV" in
8.2)
	export PHP=/usr/bin/php8.2 PHP_CONFIG=/usr/bin/php-config8.2
	TARGET="$ROOT/target"
	;;
8.4)
	"$ROOT/scripts/php84/root.sh" >/dev/null
	export PHP="$ROOT/.build/php84/bin/php" PHP_CONFIG="$ROOT/.build/php84/bin/php-config"
	TARGET="$ROOT/target/php84"
	;;
*) echo "deb: PHP $PHPV is not packaged (8.2 or 8.4)" >&2; exit 2 ;;
esac

log() { echo "deb: $*" >&2; }
VERSION="$(sed -n '/^\[package\]/,/^\[/ s/^version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n1)"
ARCH="$(dpkg --print-architecture)"
PHPAPI="$("$PHP_CONFIG" --phpapi)"
PKG="php$PHPV-presence"
[ -n "$VERSION" ] && [ -n "$PHPAPI" ] || { log "cannot read the version ($VERSION) or phpapi ($PHPAPI)"; exit 1; }

# Every setting the extension registers must be in the packaged ini, with its default.
"$ROOT/scripts/deb/check-ini.sh" >&2

log "building the extension for PHP $("$PHP" -n -r 'echo PHP_VERSION;') (phpapi $PHPAPI)"
(cd "$ROOT" && CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet)
SO="$TARGET/release/libpresence.so"

STAGE="$ROOT/.build/deb/$PKG"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/usr/lib/php/$PHPAPI" "$STAGE/etc/php/$PHPV/mods-available" "$STAGE/usr/share/doc/$PKG"
install -m 0644 "$SO" "$STAGE/usr/lib/php/$PHPAPI/presence.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STAGE/usr/lib/php/$PHPAPI/presence.so"
sed "s/@PHP_VERSION@/$PHPV/g" "$ROOT/packaging/presence.ini" >"$STAGE/etc/php/$PHPV/mods-available/presence.ini"
chmod 0644 "$STAGE/etc/php/$PHPV/mods-available/presence.ini"
for script in postinst prerm postrm; do
	sed "s/@PHP_VERSION@/$PHPV/g" "$ROOT/packaging/debian/$script" >"$STAGE/DEBIAN/$script"
	chmod 0755 "$STAGE/DEBIAN/$script"
done
echo "/etc/php/$PHPV/mods-available/presence.ini" >"$STAGE/DEBIAN/conffiles"

{
	echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
	echo "Upstream-Name: presence"
	echo
	echo "Files: *"
	echo "License: GPL-2.0-or-later"
	echo " On Debian systems, the full text of the GNU General Public License version 2"
	echo " can be found in /usr/share/common-licenses/GPL-2."
} >"$STAGE/usr/share/doc/$PKG/copyright"
# A stable date (the last commit's), so rebuilding the same tree gives the same package.
DATE="$(git -C "$ROOT" log -1 --format=%cD 2>/dev/null || date -R)"
MAINTAINER="${DEB_MAINTAINER:-presence maintainers <maintainers@presence.invalid>}"
{
	echo "$PKG ($VERSION) unstable; urgency=medium"
	echo
	echo "  * Built from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'a source tree') for PHP $PHPV (phpapi $PHPAPI)."
	echo
	echo " -- $MAINTAINER  $DATE"
} | gzip -9n >"$STAGE/usr/share/doc/$PKG/changelog.Debian.gz"
chmod 0644 "$STAGE/usr/share/doc/$PKG/"*

# dpkg-shlibdeps reads debian/control for the package's name: give it a minimal one.
SHLIB="$ROOT/.build/deb/shlibdeps-$PKG"
rm -rf "$SHLIB"
mkdir -p "$SHLIB/debian"
printf 'Source: presence\n\nPackage: %s\nArchitecture: any\n' "$PKG" >"$SHLIB/debian/control"
shlibs="$(cd "$SHLIB" && dpkg-shlibdeps -O "$STAGE/usr/lib/php/$PHPAPI/presence.so" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
[ -n "$shlibs" ] || { log "dpkg-shlibdeps found no dependencies"; exit 1; }

cat >"$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: php-common, php$PHPV-common, phpapi-$PHPAPI, $shlibs
Provides: php-presence
Section: php
Priority: optional
Description: shared-memory presence store for PHP $PHPV (who is where, right now)
 presence is a PHP extension written in Rust that keeps presence entries
 (who is in which room, with a small payload and a TTL) in a shared-memory
 segment, so every php-fpm worker and every php-cli process on the host,
 WP-CLI included, reads and writes the same store.
 .
 Each shard has a robust process-shared lock: a worker killed while holding
 it neither wedges nor corrupts the store. The WordPress bridge plugin of the
 same project uses it as its native backend.
 .
 This package holds the extension for PHP $PHPV, enabled for every SAPI
 with phpenmod, and its settings, commented out, in presence.ini.
EOF
(cd "$STAGE" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$STAGE/DEBIAN/md5sums"

mkdir -p "$ROOT/target/deb"
OUT="$ROOT/target/deb/${PKG}_${VERSION}_${ARCH}.deb"
SOURCE_DATE_EPOCH="$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)" \
	dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT" >/dev/null
log "built $OUT"
echo "$OUT"
