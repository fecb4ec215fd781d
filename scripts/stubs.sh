#!/usr/bin/env bash
# Regenerates php-stubs/presence.php from a debug build with `cargo php stubs`.
# With --check, fails when the committed stubs differ from what the code declares.
set -euo pipefail
cd "$(dirname "$0")/.."
export PHP=${PHP:-/usr/bin/php8.2} PHP_CONFIG=${PHP_CONFIG:-/usr/bin/php-config8.2}
cargo build --quiet
# cargo-php dlopens the extension outside PHP: the embed SAPI library supplies the engine's symbols.
embed=$(ls /usr/lib/libphp8.2.so /usr/lib/*/libphp8.2.so 2>/dev/null | head -n 1 || true)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
LD_PRELOAD="$embed" cargo php stubs --stdout target/debug/libpresence.so > "$out"
if [ "${1:-}" = --check ]; then
	if ! diff -u php-stubs/presence.php "$out"; then
		echo "php-stubs/presence.php is out of date: run scripts/stubs.sh" >&2
		exit 1
	fi
	echo "stubs: up to date"
else
	cp "$out" php-stubs/presence.php
fi
