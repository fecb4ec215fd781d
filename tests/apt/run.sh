#!/usr/bin/env bash
# scripts/apt/debian-mirror.sh against sample apt configurations: the one-line and the deb822
# formats, entries that must be passed over (comments, deb-src, security, disabled stanzas,
# third-party repositories reusing Debian's codenames, non-http URIs), apt's own
# Dir::Etc settings, and hosts with no Debian mirror at all (a clear failure, no guess).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
MIRROR="$ROOT/scripts/apt/debian-mirror.sh"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
KEY=/usr/share/keyrings/debian-archive-keyring.gpg

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
# expect NAME WANTED-OUTPUT DIR: the mirror found in DIR/sources.list + DIR/parts/
expect() {
	local got rc=0
	got="$("$MIRROR" --sources-list "$3/sources.list" --sources-parts "$3/parts" 2>"$T/err")" || rc=$?
	if [ "$rc" = 0 ] && [ "$got" = "$2" ]; then ok "$1"; else fail "$1: got '$got' (exit $rc) $(cat "$T/err")"; fi
}
# expect_none NAME DIR: exits 1 and says why
expect_none() {
	local got rc=0
	got="$("$MIRROR" --sources-list "$2/sources.list" --sources-parts "$2/parts" 2>"$T/err")" || rc=$?
	if [ "$rc" = 1 ] && [ -z "$got" ] && grep -q 'no Debian archive mirror' "$T/err"; then ok "$1"; else fail "$1: got '$got' (exit $rc) $(cat "$T/err")"; fi
}
case_dir() { mkdir -p "$T/$1/parts"; echo "$T/$1"; }

d="$(case_dir one-line)"
cat >"$d/sources.list" <<LIST
# deb http://commented.example.org/debian bookworm main
deb-src http://src.example.org/debian bookworm main
deb http://security.example.org/debian-security bookworm-security main
deb [signed-by=/usr/share/keyrings/sury.gpg] https://php.example.com/php bookworm main
deb http://nodesource.example.com/node_20.x nodistro main
deb [arch=amd64 signed-by=$KEY] http://mirror.example.org/debian/ bookworm main contrib  # the one
deb http://second.example.org/debian bookworm main
LIST
expect "one-line: first Debian entry, past comments, deb-src, security and third-party ones" http://mirror.example.org/debian "$d"

d="$(case_dir deb822)"
: >"$d/sources.list"
cat >"$d/parts/debian.sources" <<SRC
# A comment stanza line
Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://security.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: $KEY

Types: deb
URIs: https://php.example.com/php
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGN0dGVzdA==
 -----END PGP PUBLIC KEY BLOCK-----

Types: deb-src deb
URIs: https://mirror.example.net/debian/ http://other.example.net/debian
Suites: bookworm bookworm-updates
Components: main non-free-firmware
Signed-By: $KEY
SRC
expect "deb822: enabled Debian stanza, past disabled, security and inline-keyed third-party ones" https://mirror.example.net/debian "$d"

d="$(case_dir both)"
echo "# only comments here" >"$d/sources.list"
echo "deb https://download.example.com/linux/debian bookworm stable" >"$d/parts/docker.list"
echo "deb http://ignored.example.org/debian sid main" >"$d/parts/old.list.disabled"
printf 'Types: deb\nURIs: mirror+file:/etc/apt/mirrors.txt\nSuites: sid\nComponents: main\n\n' >"$d/parts/a-mirrorlist.sources"
printf 'Types: deb\nURIs: http://deb.example.org/debian\nSuites: sid\nComponents: main\n' >"$d/parts/b.sources"
expect "both formats: a .list without main, a .disabled file and a mirror+file URI are passed over" http://deb.example.org/debian "$d"

d="$(case_dir none)"
cat >"$d/sources.list" <<LIST
deb-src http://src.example.org/debian bookworm main
deb http://security.example.org/debian-security bookworm-security main
LIST
printf 'Types: deb\nURIs: https://nodesource.example.com/node_20.x\nSuites: nodistro\nComponents: main\nSigned-By: /usr/share/keyrings/nodesource.gpg\n' >"$d/parts/nodesource.sources"
printf 'Types: deb\nURIs: http://off.example.org/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n' >"$d/parts/off.sources"
expect_none "no Debian mirror: only security, deb-src, third-party and disabled entries" "$d"

d="$(case_dir empty)"
rmdir "$d/parts"
expect_none "no apt sources at all" "$d"

# Without arguments the paths come from apt's own configuration (Dir::Etc).
d="$(case_dir apt-config)"
echo "deb http://configured.example.org/debian trixie main" >"$d/parts/x.list"
printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' "$d/sources.list" "$d/parts" >"$d/apt.conf"
got="$(APT_CONFIG="$d/apt.conf" "$MIRROR" 2>&1)"
[ "$got" = http://configured.example.org/debian ] && ok "the files are apt's Dir::Etc::sourcelist and sourceparts" || fail "apt-config paths: got '$got'"

# The fetchers stop with the same message instead of guessing a mirror.
printf 'Dir::Etc::sourcelist "%s";\nDir::Etc::sourceparts "%s";\n' "$T/none/sources.list" "$T/none/parts" >"$T/none/apt.conf"
rc=0
out="$(APT_CONFIG="$T/none/apt.conf" PHP84_REFRESH=1 "$ROOT/scripts/php84/root.sh" 2>&1)" || rc=$?
[ "$rc" != 0 ] && grep -q 'no Debian archive mirror' <<<"$out" && ok "scripts/php84/root.sh fails clearly without a mirror" ||
	fail "php84 root without a mirror: exit $rc, $out"

echo "apt mirror: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
