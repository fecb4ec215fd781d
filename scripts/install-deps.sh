#!/usr/bin/env bash
# Installs everything the build, the tests, the demo and the benchmarks need on a fresh Debian machine.
# Idempotent: packages already present are skipped by apt, and the stamp keeps reruns fast.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
	php8.2-dev php8.2-cli php8.2-fpm php8.2-mysql php8.2-curl php8.2-xml php8.2-mbstring
	php8.2-redis php8.2-apcu php8.2-intl php-codesniffer phpunit
	libclang-dev clang pkg-config libfcgi-bin libphp8.2-embed netcat-openbsd
	mariadb-server mariadb-client nginx redis-server wrk
	chromium fonts-dejavu-core curl ca-certificates xz-utils valgrind
	gettext dpkg-dev binutils iproute2 util-linux debian-archive-keyring
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
	# Debian's maintainer scripts may have started the system daemons; the project runs its own
	# on loopback. Only right after installing, so reruns never touch anything already running.
	for svc in nginx mariadb redis-server php8.2-fpm; do
		service "$svc" stop >/dev/null 2>&1 || true
	done
fi

if ! command -v cargo-php >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo-php" ]; then
	cargo install cargo-php --locked --quiet
fi
