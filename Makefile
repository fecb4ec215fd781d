# presence: build, test, demo and benchmark. Every target installs what it needs first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PHP := /usr/bin/php8.2
export PHP_CONFIG := /usr/bin/php-config8.2
SO := $(CURDIR)/target/release/libpresence.so
RUN_TESTS = $(shell $(PHP_CONFIG) --extension-dir)/build/run-tests.php

.PHONY: all deps ext install test lint test-rust test-phpt test-fpm test-bridge test-browser \
	stubs demo demo-stop bench bench-e2e clean

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

## Every test: Rust, PHPT, php-fpm workers, the WordPress bridge (both backends, multisite), the browser.
test: deps ext lint test-rust test-phpt test-fpm test-bridge test-browser
	@echo "all test suites passed"

lint:
	cargo fmt --check
	cargo clippy --all-targets --quiet -- -D warnings
	cargo clippy --all-targets --no-default-features --quiet -- -D warnings
	scripts/stubs.sh --check
	find wordpress-bridge tests/bridge -name '*.php' -print0 | xargs -0 -n1 -P2 $(PHP) -l >/dev/null

test-rust:
	cargo test --no-default-features

test-phpt: ext
	TEST_PHP_EXECUTABLE=$(PHP) NO_INTERACTION=1 $(PHP) $(RUN_TESTS) -q --show-diff \
		-d extension=$(SO) tests/phpt

test-fpm: ext
	PRESENCE_SO=$(SO) tests/fpm/run.sh

test-bridge: ext
	tests/bridge/run.sh

test-browser: ext
	tests/browser/run.sh

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

clean:
	cargo clean
	rm -rf .build
