#!/usr/bin/env bash
# Usage: scripts/wp/mariadb.sh start|stop|status STATE_DIR PORT
#
# A private MariaDB server, no service manager involved:
#   - data in STATE_DIR/data (created by mariadb-install-db on first start),
#   - socket STATE_DIR/mysqld.sock, TCP on 127.0.0.1:PORT only,
#   - user root with an empty password (works over the socket for any OS user),
#   - log in STATE_DIR/mysqld.err, pid in STATE_DIR/mysqld.pid.
# `start` waits until the server answers and is idempotent (a running server is left alone).
# `stop` shuts it down and waits until the process is gone. `status` exits 0 when it answers.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status STATE_DIR PORT" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd="$1"
state="$2"
port="${3:-}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
sock="$state/mysqld.sock"
pidf="$state/mysqld.pid"
data="$state/data"

alive() {
	[ -f "$pidf" ] && kill -0 "$(cat "$pidf" 2>/dev/null)" 2>/dev/null
}
answers() {
	mariadb --no-defaults --protocol=socket -S "$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1
}

case "$cmd" in
start)
	[ -n "$port" ] || usage
	if alive && answers; then
		exit 0
	fi
	if alive; then
		# Starting up (or wedged): give it a moment before deciding.
		for _ in $(seq 1 100); do answers && exit 0; sleep 0.2; done
		echo "mariadb.sh: server $(cat "$pidf") does not answer on $sock" >&2
		exit 1
	fi
	rm -f "$pidf" "$sock" "$sock.lock"
	if [ ! -d "$data/mysql" ]; then
		rm -rf "$data"
		mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$state/install-db.log" 2>&1 || { cat "$state/install-db.log" >&2; exit 1; }
	fi
	setsid mariadbd --no-defaults --datadir="$data" --socket="$sock" --port="$port" \
		--bind-address=127.0.0.1 --pid-file="$pidf" --log-error="$state/mysqld.err" \
		--user="$(id -un)" --skip-name-resolve --skip-log-bin \
		--innodb-buffer-pool-size=64M --innodb-log-file-size=32M --innodb-flush-log-at-trx-commit=2 \
		--max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
		</dev/null >>"$state/mysqld.out" 2>&1 &
	launched=$!
	for _ in $(seq 1 300); do
		if answers; then
			# Root without a password, also over TCP from 127.0.0.1 (idempotent).
			mariadb --no-defaults -S "$sock" -uroot -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" >/dev/null 2>&1 || true
			exit 0
		fi
		if ! kill -0 "$launched" 2>/dev/null; then
			echo "mariadb.sh: mariadbd exited during startup; see $state/mysqld.err" >&2
			tail -n 20 "$state/mysqld.err" >&2 || true
			exit 1
		fi
		sleep 0.1
	done
	echo "mariadb.sh: mariadbd did not become ready within 30 s; see $state/mysqld.err" >&2
	exit 1
	;;
stop)
	if ! alive; then
		rm -f "$pidf"
		exit 0
	fi
	pid="$(cat "$pidf")"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 300); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$pidf"; exit 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.2
	rm -f "$pidf" "$sock"
	;;
status)
	answers
	;;
*)
	usage
	;;
esac
