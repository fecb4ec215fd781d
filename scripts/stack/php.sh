#!/usr/bin/env bash
# Usage: scripts/stack/php.sh SITE_DIR [php arguments…]
#
# Runs php-cli with exactly the ini files the stack's php-fpm scans (the extension when the stack
# was started with it, the same presence.shm_path and presence.debug_clock), so CLI scripts read
# and write the same shared store as the web requests. Needs scripts/stack/start.sh SITE_DIR to
# have run once (the stack may be stopped since). PHP_BIN chooses the php (default: php on PATH);
# STACK_NAME selects a named stack (start.sh).
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
STATE="$ROOT/.build/stack/${STACK_NAME:-$(basename "${1%/}")}"
shift
[ -d "$STATE/conf.d" ] || { echo "php.sh: no stack state in $STATE (run scripts/stack/start.sh first)" >&2; exit 1; }
PHP_INI_SCAN_DIR="$STATE/conf.d" exec "${PHP_BIN:-php}" "$@"
