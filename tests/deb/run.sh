#!/usr/bin/env bash
# Usage: tests/deb/run.sh [8.2] [8.4]        (default: both; `make deb deb-8.4` builds them)
#
# Installs target/deb/phpX.Y-presence_<version>_<arch>.deb with dpkg, checks that php-cli and a
# php-fpm worker load it (and that both share a segment through it), that an administrator's
# phpdismod and edited presence.ini survive a reinstall, then removes it (`dpkg -r`) and purges
# it (`dpkg --purge`) and checks that nothing is left: files, conf.d links, phpenmod's state,
# dpkg's status.
#
# The real system is never changed. The script re-executes itself in private namespaces
# (unshare --mount --propagation private --net --pid --fork --mount-proc): inside, /usr, /etc
# and /var are overlay mounts whose upper layers live in .build/deb-test/, and /run, /tmp and
# /dev/shm are fresh tmpfs (a checkout under one of them, such as a CI clone in /tmp, is bound
# back in). dpkg, phpenmod and php-fpm's restart trigger write only into the upper layers,
# which vanish with the namespace; the pid namespace keeps every process on the host out of
# reach of the maintainer scripts' service calls (a policy-rc.d refuses them too), and the
# network namespace gives php-fpm a loopback of its own.
#
# PHP 8.4 is installed into the private root of scripts/php84/root.sh, itself behind an overlay
# (its upper layer also in .build/deb-test/), with `dpkg --root`: dpkg checks the Depends against
# the root's own status (phpapi-20240924 from php8.4-cli), and runs the maintainer scripts
# chrooted into it, with the root's phpenmod. php and php-fpm run chrooted there too, so the
# conf.d links phpenmod wrote (absolute, as on a real host) resolve.
#
# Needs root; without it the test is skipped with a message. Exits non-zero on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
WORK="$ROOT/.build/deb-test"
VERSIONS=("$@")
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(8.2 8.4)
PORT=9196

if [ "$(id -u)" != 0 ]; then
	echo "deb test: SKIPPED: dpkg -i needs root (run as root, as CI does)"
	exit 0
fi
for tool in unshare dpkg cgi-fcgi; do
	command -v "$tool" >/dev/null || { echo "deb test: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done

# ---------------------------------------------------------------- outside: enter the namespaces
if [ -z "${PRESENCE_DEB_TEST_INSIDE:-}" ]; then
	pkg_state() { dpkg-query -W -f='${Status}' "php$1-presence" 2>/dev/null || echo absent; }
	host_state() {
		local v
		for v in "${VERSIONS[@]}"; do
			echo "$v $(pkg_state "$v")"
			ls -l "/etc/php/$v/mods-available/presence.ini" /etc/php/"$v"/*/conf.d/*presence* 2>/dev/null || true
		done
	}
	before="$(host_state)"
	rm -rf "$WORK"
	mkdir -p "$WORK"
	rc=0
	PRESENCE_DEB_TEST_INSIDE=1 unshare --mount --propagation private --net --pid --fork --mount-proc \
		"$0" "${VERSIONS[@]}" || rc=$?
	after="$(host_state)"
	if [ "$before" = "$after" ]; then
		echo "ok   the host's dpkg status and PHP configuration are unchanged"
	else
		echo "FAIL the host changed:"
		diff <(echo "$before") <(echo "$after")
		rc=1
	fi
	rm -rf "$WORK"
	exit "$rc"
fi

# ---------------------------------------------------------------- inside the namespaces
set -e
ip link set lo up
for d in usr etc var; do
	mkdir -p "$WORK/host/upper/$d" "$WORK/host/work/$d"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$WORK/host/upper/$d,workdir=$WORK/host/work/$d" "/$d"
done
for d in /run /tmp /dev/shm; do
	case "$ROOT/" in
	"$d"/*)
		# The checkout itself lives there (a CI clone in /tmp): keep it visible in the fresh tmpfs.
		mount --rbind "$ROOT" /mnt
		mount -t tmpfs -o mode=1777 tmpfs "$d"
		mkdir -p "$ROOT"
		mount --rbind /mnt "$ROOT"
		umount -l /mnt
		;;
	*) mount -t tmpfs -o mode=1777 tmpfs "$d" ;;
	esac
done
# No service is started or restarted from a maintainer script (policy-rc.d(8)).
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
set +e

passed=0 failed=0
check() { # name, command…
	local name="$1"
	shift
	if "$@" >"$WORK/check.out" 2>&1; then
		passed=$((passed + 1)); echo "ok   $name"
	else
		failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$WORK/check.out" | head -n 20
	fi
}
has_line() { grep -qx -- "$1" <<<"$2"; }
lacks_line() { ! grep -qx -- "$1" <<<"$2"; }
same() { # expected, got: a diff when they differ
	[ "$1" = "$2" ] && return 0
	diff <(echo "$1") <(echo "$2") | sed 's/^</expected:/; s/^>/got:     /'
	return 1
}

# Per version: how to run things there. For 8.2 the host (in its overlay), for 8.4 a chroot
# into the overlaid private root.
IN=()
SYSROOT=""
in_root() { "${IN[@]}" "$@"; }
dpkg_() { if [ -n "$SYSROOT" ]; then dpkg --root="$SYSROOT" "$@"; else dpkg "$@"; fi; }
status_of() { dpkg-query ${SYSROOT:+--admindir="$SYSROOT/var/lib/dpkg"} -W -f='${Status}' "$1" 2>/dev/null || echo absent; }
# Everything a package install can leave: PHP's config and module state, extension dirs, docs,
# dpkg's per-package files. Paths, types and link targets, sorted.
snapshot() {
	(cd "$SYSROOT/" && find etc/php usr/lib/php usr/share/doc var/lib/php var/lib/dpkg/info \
		-printf '%p %y %l\n' 2>/dev/null | sort)
}

fcgi_php() { # script-path-in-root → output body
	SCRIPT_FILENAME="$1" REQUEST_METHOD=GET QUERY_STRING="" cgi-fcgi -bind -connect "127.0.0.1:$PORT" | sed '1,/^\r\{0,1\}$/d'
}
FPM_PID=""
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
start_fpm() { # version fpm-binary-in-root
	local conf="/tmp/presence-deb-test-fpm.conf"
	cat >"$SYSROOT$conf" <<-CONF
		[global]
		pid = /tmp/presence-deb-test-fpm.pid
		error_log = /tmp/presence-deb-test-fpm.log
		daemonize = no
		[probe]
		listen = 127.0.0.1:$PORT
		pm = static
		pm.max_children = 2
		php_admin_value[presence.shm_path] = /dev/shm/presence-deb-test
	CONF
	if port_open; then
		echo "port $PORT is already taken" >&2
		return 1
	fi
	# Not through in_root: $! must be php-fpm's master itself (chroot and env exec it).
	"${IN[@]}" "$2" -F -R -y "$conf" &
	FPM_PID=$!
	for _ in $(seq 100); do
		port_open && return 0
		kill -0 "$FPM_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$SYSROOT/tmp/presence-deb-test-fpm.log" >&2
	return 1
}
stop_fpm() {
	if [ -n "$FPM_PID" ]; then
		kill "$FPM_PID" 2>/dev/null
		wait "$FPM_PID" 2>/dev/null
	fi
	FPM_PID=""
	for _ in $(seq 50); do port_open || return 0; sleep 0.1; done
}

test_version() {
	local v="$1" deb pkg="php$1-presence" api php fpm
	deb="$(ls "$ROOT"/target/deb/"${pkg}"_*.deb 2>/dev/null | head -n1)"
	echo "== $pkg: $(basename "${deb:-missing}")"
	if [ -z "$deb" ]; then
		failed=$((failed + 1)); echo "FAIL no $pkg package in target/deb (make deb, make deb-$v)"; return
	fi
	api="$(dpkg-deb -c "$deb" | sed -n 's#.*\./usr/lib/php/\([0-9]*\)/presence\.so$#\1#p')"
	php="/usr/bin/php$v" fpm="/usr/sbin/php-fpm$v"
	local ini="/etc/php/$v/mods-available/presence.ini" so="/usr/lib/php/$api/presence.so"
	local before after out
	before="$(snapshot)"

	check "dpkg -i installs $pkg (Depends: phpapi-$api satisfied)" dpkg_ -i "$deb"
	check "dpkg says it is installed" same "install ok installed" "$(status_of "$pkg")"
	check "the .so is in the extension dir" test -f "$SYSROOT$so"
	check "presence.ini is a registered conffile" grep -q "^ $ini " <(dpkg-query ${SYSROOT:+--admindir="$SYSROOT/var/lib/dpkg"} -s "$pkg")
	check "presence.ini loads the extension and only that: every setting is commented out" \
		same "extension=presence.so" "$(grep -v '^[[:space:]]*\(;\|$\)' "$SYSROOT$ini")"
	check "phpenmod linked it for cli and fpm" test -L "$SYSROOT/etc/php/$v/cli/conf.d/20-presence.ini" -a -L "$SYSROOT/etc/php/$v/fpm/conf.d/20-presence.ini"
	out="$(in_root "$php" -m)"
	check "php$v -m lists presence (cli)" has_line presence "$out"
	check "the cli's settings are the defaults" same "16384 60" "$(in_root "$php" -r 'echo ini_get("presence.capacity"), " ", ini_get("presence.default_ttl");')"
	if start_fpm "$v" "$fpm"; then
		printf '%s\n' '<?php echo "php:", PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION, "\n", implode("\n", get_loaded_extensions()), "\n";' \
			'presence_upsert("deb-test", "fpm-worker", 7, array("pid" => getmypid()));' \
			'echo "stored:", presence_get("deb-test", "fpm-worker")["user_id"], "\n";' >"$SYSROOT/tmp/probe.php"
		out="$(fcgi_php /tmp/probe.php)"
		check "the worker that answers is PHP $v's" has_line "php:$v" "$out"
		check "a php-fpm$v worker lists presence" has_line presence "$out"
		check "the worker stores an entry through it" has_line "stored:7" "$out"
		check "php-cli reads the worker's entry (one segment for both SAPIs)" same 7 \
			"$(in_root "$php" -d presence.shm_path=/dev/shm/presence-deb-test -r 'echo presence_get("deb-test", "fpm-worker")["user_id"] ?? "none";')"
	else
		failed=$((failed + 1)); echo "FAIL php-fpm$v did not start"
	fi
	stop_fpm

	# An administrator disables it for the cli and edits the ini; a reinstall (the upgrade path:
	# prerm upgrade, postinst configure) must keep both.
	in_root phpdismod -v "$v" -s cli presence
	sed -i 's/^;presence.default_ttl = 60$/presence.default_ttl = 90/' "$SYSROOT$ini"
	check "dpkg -i again (reinstall) succeeds" dpkg_ -i --force-confold "$deb"
	check "the administrator's phpdismod for the cli holds" test ! -e "$SYSROOT/etc/php/$v/cli/conf.d/20-presence.ini"
	check "fpm is still enabled" test -L "$SYSROOT/etc/php/$v/fpm/conf.d/20-presence.ini"
	check "the edited presence.ini is kept" grep -qx 'presence.default_ttl = 90' "$SYSROOT$ini"
	in_root phpenmod -v "$v" -s cli presence
	check "php-cli reads the edited setting after the administrator's phpenmod" same 90 "$(in_root "$php" -r 'echo ini_get("presence.default_ttl");')"

	check "dpkg -r removes it" dpkg_ -r "$pkg"
	check "dpkg keeps only its conffile (config-files)" same "deinstall ok config-files" "$(status_of "$pkg")"
	check "the .so is gone" test ! -e "$SYSROOT$so"
	check "no conf.d link is left" same "" "$(find "$SYSROOT/etc/php/$v" -name '*presence*' -path '*conf.d*')"
	check "the edited presence.ini stays until purge" grep -qx 'presence.default_ttl = 90' "$SYSROOT$ini"
	out="$(in_root "$php" -m 2>&1)"
	check "php$v -m no longer lists presence" lacks_line presence "$out"
	check "php$v starts without a warning" same "" "$(in_root "$php" -r '' 2>&1)"

	check "dpkg --purge purges it" dpkg_ --purge "$pkg"
	local st
	st="$(status_of "$pkg")"
	check "dpkg no longer knows it (status: ${st:-none})" test "$st" = absent -o "$st" = "unknown ok not-installed" -o "$st" = "purge ok not-installed"
	check "presence.ini is gone" test ! -e "$SYSROOT$ini"
	check "phpenmod's state for presence is gone" same "" "$(find "$SYSROOT/var/lib/php/modules" -name presence 2>/dev/null)"
	after="$(snapshot)"
	check "nothing is left: etc/php, usr/lib/php, docs, module state and dpkg info as before" same "$before" "$after"
}

for v in "${VERSIONS[@]}"; do
	case "$v" in
	8.2)
		IN=() SYSROOT=""
		test_version 8.2
		;;
	8.4)
		if ! "$ROOT/scripts/php84/root.sh" >/dev/null; then
			failed=$((failed + 1)); echo "FAIL the PHP 8.4 root is not available"; continue
		fi
		r="$WORK/php84/merged"
		mkdir -p "$WORK/php84/upper" "$WORK/php84/work" "$r"
		mount -t overlay overlay -o "lowerdir=$ROOT/.build/php84/root,upperdir=$WORK/php84/upper,workdir=$WORK/php84/work" "$r"
		mount --rbind /dev "$r/dev"
		mount -t proc proc "$r/proc"
		mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
		mkdir -p "$r/dev/shm" && mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
		printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d" && chmod 0755 "$r/usr/sbin/policy-rc.d"
		IN=(chroot "$r" env PATH=/usr/sbin:/usr/bin) SYSROOT="$r"
		test_version 8.4
		;;
	*) failed=$((failed + 1)); echo "FAIL unknown PHP version $v" ;;
	esac
done

echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
