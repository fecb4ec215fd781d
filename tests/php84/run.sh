#!/usr/bin/env bash
# Usage: tests/php84/run.sh [phpt|fpm|bridge ...]     (default: all three)
#
# The PHP 8.4 lane of `make test`: Debian sid's PHP 8.4 from the private root of
# scripts/php84/root.sh (fetched on first use, then cached in .build/php84), the extension built
# against its headers into target/php84, and on that PHP:
#   phpt    the PHPT suite (the root's own run-tests.php);
#   fpm     tests/fpm/run.sh: four php-fpm 8.4 workers and php-cli 8.4 share one segment;
#   bridge  the bridge's PHPUnit suite on the extension backend (tests/bridge/run.sh, pass
#           "extension"), php-cli and the stack's php-fpm both 8.4.
# The resolved PHP version is printed first and kept in .build/php84/VERSION, the package
# versions in .build/php84/packages.txt. Servers and segments: run it under /work/bin/isolated
# (or any private network namespace and /dev/shm), as every suite that starts servers.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
BIN="$ROOT/.build/php84/bin"
SO="$ROOT/target/php84/release/libpresence.so"
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(phpt fpm bridge)

version="$("$ROOT/scripts/php84/root.sh")" || { echo "php84: the PHP 8.4 root could not be made" >&2; exit 1; }
echo "== PHP 8.4 lane: PHP $version from Debian sid ($(sed -n 's/^php8.4-cli //p' "$ROOT/.build/php84/packages.txt")), private root .build/php84/root"

echo "== php84: building the extension against PHP $version (target/php84)"
(cd "$ROOT" && PHP="$BIN/php" PHP_CONFIG="$BIN/php-config" CARGO_TARGET_DIR="$ROOT/target/php84" cargo build --release --quiet) ||
	{ echo "php84: the extension does not build against PHP $version" >&2; exit 1; }
# The .so must be for this PHP, or every part below would test nothing.
"$BIN/php" -n -d extension="$SO" -r 'exit(extension_loaded("presence") && PHP_MAJOR_VERSION . "." . PHP_MINOR_VERSION === "8.4" ? 0 : 1);' ||
	{ echo "php84: $SO does not load into PHP $version" >&2; exit 1; }

failures=0
summary=()
for part in "${PARTS[@]}"; do
	echo
	echo "== php84 $part"
	rc=0
	case "$part" in
	phpt)
		log="$ROOT/.build/php84/phpt.log"
		TEST_PHP_EXECUTABLE="$BIN/php" NO_INTERACTION=1 "$BIN/php" "$("$BIN/php-config" --extension-dir)/build/run-tests.php" \
			-q --no-color --show-diff -d extension="$SO" "$ROOT/tests/phpt" >"$log" 2>&1 || rc=$?
		# run-tests.php exits 0 even when nothing ran: a pass needs tests passed and none failed.
		grep -qE '^Tests passed +: +[1-9]' "$log" && ! grep -qE '^Tests failed +: +[1-9]' "$log" || rc=1
		if [ "$rc" -eq 0 ]; then
			grep -E '^(SKIP|BORK)|^Tests (passed|failed|skipped)' "$log"
		else
			sed -n '/^TEST .*\(FAIL\|BORK\)\|========DIFF========/,/========DONE========/p; /^FAIL\|^BORK\|^Tests /p' "$log"
		fi
		;;
	fpm)
		PRESENCE_SO="$SO" PHP_BIN="$BIN/php" PHP_FPM_BIN="$BIN/php-fpm" "$ROOT/tests/fpm/run.sh" || rc=$?
		;;
	bridge)
		BRIDGE_PASSES=extension PRESENCE_SO="$SO" PHP_BIN="$BIN/php" PHP_FPM_BIN="$BIN/php-fpm" \
			SYSTEM_CONF_D="$ROOT/.build/php84/etc/fpm/conf.d" "$ROOT/tests/bridge/run.sh" || rc=$?
		;;
	*) echo "php84: unknown part $part" >&2; rc=2 ;;
	esac
	if [ "$rc" -eq 0 ]; then summary+=("$part: OK"); else summary+=("$part: FAILED (exit $rc)"); failures=$((failures + 1)); fi
done

echo
echo "== PHP 8.4 lane (PHP $version) summary"
for s in "${summary[@]}"; do echo "  $s"; done
[ "$failures" -eq 0 ]
