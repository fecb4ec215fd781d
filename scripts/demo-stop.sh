#!/usr/bin/env bash
# Usage: scripts/demo-stop.sh       (make demo-stop)
#
# Ends everything scripts/demo.sh started, and nothing else: the mover (pid in .build/demo/mover.pid),
# php-fpm and nginx (scripts/stack/stop.sh), MariaDB (scripts/wp/mariadb.sh stop). Data stays in
# .build/ so the next `make demo` is quick; `rm -rf .build/demo .build/sites/demo` for a fresh start.
# Safe to run when nothing is running.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
D="$ROOT/.build/demo"
SITE="$ROOT/.build/sites/demo"

pid=$(cat "$D/mover.pid" 2>/dev/null || true)
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'scripts/demo/mover.php'; then
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
	echo "mover stopped"
fi
rm -f "$D/mover.pid" "$D/mover.ready"
"$ROOT/scripts/stack/stop.sh" "$SITE"
if [ -d "$D/mariadb" ]; then
	"$ROOT/scripts/wp/mariadb.sh" stop "$D/mariadb"
	echo "mariadb stopped"
fi
