# presence: build, test, demo and benchmark. Every target installs what it needs first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PHP := /usr/bin/php8.2
export PHP_CONFIG := /usr/bin/php-config8.2
SO := $(CURDIR)/target/release/libpresence.so
RUN_TESTS = $(shell $(PHP_CONFIG) --extension-dir)/build/run-tests.php
## The PHP a Debian package is built for: 8.2 (the system's) or 8.4 (sid's, from a private root).
PHP_VERSION ?= 8.2

.PHONY: all bench-collab deps ext install deb deb-8.2 deb-8.4 php84 pot test lint test-rust test-apt test-phpt test-valgrind \
	test-fpm test-deb test-i18n test-bridge test-php84 test-browser stubs demo demo-stop bench bench-e2e bench-e2e-instr bench-store \
	bench-model bench-network clean

all: ext

deps:
	@command -v cargo >/dev/null || { echo "presence needs a Rust toolchain (cargo) on PATH"; exit 1; }
	scripts/install-deps.sh

ext: deps
	cargo build --release

## Installs the built extension for the system PHP (php-fpm and php-cli).
install: ext
	install -m 0644 $(SO) "$$($(PHP_CONFIG) --extension-dir)/presence.so"
	printf 'extension=presence.so\n' > /etc/php/8.2/mods-available/presence.ini
	phpenmod -v 8.2 presence

## Debian package: target/deb/php$(PHP_VERSION)-presence_<version>_amd64.deb (make deb PHP_VERSION=8.4).
deb: deps ext
	scripts/deb/build.sh $(PHP_VERSION)

deb-8.2: deps ext
	scripts/deb/build.sh 8.2

deb-8.4: deps
	scripts/deb/build.sh 8.4

## Debian sid's PHP 8.4 in .build/php84/root, with wrappers in .build/php84/bin.
php84: deps
	scripts/php84/root.sh

## wordpress-bridge/languages/presence.pot from the bridge's strings (xgettext).
pot: deps
	scripts/i18n/make-pot.sh

## Every test: Rust, PHPT, php-fpm workers, the Debian packages, the WordPress bridge (both
## backends, multisite), the PHP 8.4 lane, the browser.
test: deps ext lint test-rust test-apt test-i18n test-phpt test-fpm test-deb test-bridge test-php84 test-browser
	@echo "all test suites passed"

lint:
	cargo fmt --check
	cargo clippy --all-targets --quiet -- -D warnings
	cargo clippy --all-targets --no-default-features --quiet -- -D warnings
	scripts/stubs.sh --check
	scripts/i18n/make-pot.sh --check --strict
	find wordpress-bridge tests/bridge -name '*.php' -print0 | xargs -0 -n1 -P2 $(PHP) -l >/dev/null

test-rust:
	cargo test --no-default-features

test-phpt: ext
	TEST_PHP_EXECUTABLE=$(PHP) NO_INTERACTION=1 $(PHP) $(RUN_TESTS) -q --show-diff \
		-d extension=$(SO) tests/phpt

## The PHPT suite under valgrind with the engine's allocator off (USE_ZEND_ALLOC=0): invalid reads
## and writes fail a test, and so does request memory left unfreed (a reference count too high).
## Slow (minutes), so not part of `make test`.
test-valgrind: ext
	VALGRIND_OPTS="--leak-check=full --errors-for-leak-kinds=definite" \
		TEST_PHP_EXECUTABLE=$(PHP) NO_INTERACTION=1 $(PHP) $(RUN_TESTS) -m -j2 -q --show-diff \
		-d extension=$(SO) tests/phpt

test-fpm: ext
	PRESENCE_SO=$(SO) tests/fpm/run.sh

## The Debian mirror is read from the system's apt sources only (sample files, both formats).
test-apt:
	tests/apt/run.sh

## scripts/i18n/make-pot.sh on a sample plugin (not the check of the committed template).
test-i18n:
	tests/i18n/run.sh

## dpkg -i / -r / --purge of both packages inside private overlay mounts; the system is untouched.
test-deb: deb-8.2 deb-8.4
	tests/deb/run.sh 8.2 8.4

## PHPT, php-fpm workers and the bridge (extension backend) on Debian sid's PHP 8.4.
test-php84: deps
	tests/php84/run.sh

test-bridge: ext
	tests/bridge/run.sh

## Every spec on a single site, then the network spec (the network widget) on a sub-directory network.
test-browser: ext
	tests/browser/run.sh
	BROWSER_MULTISITE=1 tests/browser/run.sh

stubs:
	scripts/stubs.sh

## A local WordPress with the extension and the bridge, 40 live editors; `make demo-stop` ends it.
demo: deps ext
	scripts/demo.sh

demo-stop:
	scripts/demo-stop.sh

## Per-call cost from PHP against APCu and MariaDB, written to benches/RESULTS.md.
bench: deps ext
	benches/micro/run.sh

## Heartbeat throughput at 40, 500 and 5000 users (steady, churn, full): extension, SQL, Redis, bridge off; 3 tabs before and after the leader.
bench-e2e: deps ext
	benches/e2e/run.sh

## The same Heartbeat ticks counted in instructions (callgrind), which the host's speed drift cannot move.
bench-e2e-instr: deps ext
	TABS=0 benches/e2e/run.sh --instr

## The collaboration caller's poll (write awareness, read the room): SQL queries and time per poll on the extension, SQL and Redis.
bench-collab: deps ext
	benches/collab/run.sh

## The store under load: big rooms, changes-since, 1–8 writers, against a baseline build.
bench-store: deps ext
	benches/store/run.sh

## The network Who's Online widget over 1000 sites with 15 people online each (multisite pass).
bench-network: deps ext
	benches/network/run.sh

## The store's model-based test at 10⁸ operations (release build; minutes, not part of `make test`).
bench-model:
	PRESENCE_MODEL_OPS=100000000 cargo test --release --no-default-features --lib \
		store::tests::model -- --nocapture

clean:
	cargo clean
	rm -rf .build
