#!/usr/bin/env bash
# scripts/i18n/make-pot.sh on a sample plugin: WordPress's keywords (contexts, plurals, noops),
# translators: comments, JavaScript only when it uses wp.i18n, a template that does not change
# when only line numbers or times do, --check on a stale template, and the placeholder warning
# (an error with --strict).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
MAKE_POT="$ROOT/scripts/i18n/make-pot.sh"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
P="$T/plugin"
mkdir -p "$P/includes" "$P/assets" "$P/languages"

cat >"$P/sample.php" <<'PHP'
<?php
/**
 * Plugin Name:       Sample Plugin
 * Version:           2.3.4
 * Text Domain:       presence
 */
echo __( 'Hello', 'presence' );
echo _x( 'Post', 'noun', 'presence' );
/* translators: %s: number of items. */
printf( _n( '%s item', '%s items', $n, 'presence' ), $n );
esc_html_x( 'Open', 'verb', 'presence' );
printf( _nx( '%d file', '%d files', $n, 'upload', 'presence' ), $n );
esc_attr_e( '100%% sure', 'presence' );
$noop = _n_noop( '%s post', '%s posts', 'presence' );
PHP
cat >"$P/includes/more.php" <<'PHP'
<?php
/* translators: 1: a name, 2: a place. */
$s = sprintf( esc_html__( '%1$s is in %2$s', 'presence' ), $a, $b );
PHP
cat >"$P/assets/app.js" <<'JS'
const { __, _n } = wp.i18n;
__( 'Hello', 'presence' );
__( 'From JavaScript', 'presence' );
JS
cat >"$P/assets/other.js" <<'JS'
function __( s ) { return s; }
__( 'Not translated: this file does not use the i18n package' );
JS
POT="$P/languages/presence.pot"

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { local name="$1"; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }

"$MAKE_POT" --source "$P" --pot "$POT" 2>"$T/warn" >/dev/null
check "the template is written" test -s "$POT"
check "the header names the plugin and its version, and no creation date" \
	bash -c "grep -q '^\"Project-Id-Version: Sample Plugin 2.3.4' '$POT' && ! grep -q POT-Creation-Date '$POT'"
check "_x and esc_html_x keep their context" bash -c "grep -B1 -x 'msgid \"Post\"' '$POT' | grep -qx 'msgctxt \"noun\"' && grep -B1 -x 'msgid \"Open\"' '$POT' | grep -qx 'msgctxt \"verb\"'"
check "_n has its plural, _nx its context too" bash -c "grep -A1 -x 'msgid \"%s item\"' '$POT' | grep -qx 'msgid_plural \"%s items\"' && grep -B1 -x 'msgid \"%d file\"' '$POT' | grep -qx 'msgctxt \"upload\"'"
check "_n_noop strings are collected" grep -qx 'msgid_plural "%s posts"' "$POT"
check "a translators: comment is kept for its string" bash -c "entry() { awk -v id='msgid \"%s item\"' 'BEGIN { RS = \"\" } index(\$0, id)' '$POT'; }; entry | grep -qx '#. translators: %s: number of items.'"
check "a string used in PHP and JavaScript is one entry naming both files" bash -c "grep -c -x 'msgid \"Hello\"' '$POT' | grep -qx 1 && awk 'BEGIN { RS = \"\" } /msgid \"Hello\"/' '$POT' | grep -qx '#: assets/app.js sample.php'"
check "JavaScript without wp.i18n is not read" bash -c "! grep -q 'Not translated' '$POT' && grep -qx 'msgid \"From JavaScript\"' '$POT'"
check "references carry no line numbers" bash -c "! grep '^#: ' '$POT' | grep -q ':[0-9]'"
check "the placeholder warning names each string without a translators: comment" \
	bash -c "grep -qx '  sample.php: %d file | %d files' '$T/warn' && grep -qx '  sample.php: %s post | %s posts' '$T/warn'"
check "escaped %% is no placeholder, and commented strings are not reported" bash -c "! grep -q '100%% sure\|%s item\|%1\$s is in' '$T/warn'"
check "--strict fails on it" bash -c "! '$MAKE_POT' --source '$P' --pot '$POT' --check --strict"

cp "$POT" "$T/first.pot"
# Moved lines and new mtimes alone must not change the template.
{ echo '<?php'; echo; echo; tail -n +2 "$P/includes/more.php"; } >"$T/more.php" && mv "$T/more.php" "$P/includes/more.php"
touch "$P/sample.php"
"$MAKE_POT" --source "$P" --pot "$POT" >/dev/null 2>&1
check "the template does not change when only line numbers and times do" cmp -s "$T/first.pot" "$POT"
check "--check passes on a current template" "$MAKE_POT" --source "$P" --pot "$POT" --check

echo "echo __( 'A new string', 'presence' );" >>"$P/includes/more.php"
rc=0
out="$("$MAKE_POT" --source "$P" --pot "$POT" --check 2>&1)" || rc=$?
check "--check fails on a stale template and says so" bash -c "[ $rc = 1 ] && grep -q 'is stale' <<<'$out'"
check "--check writes nothing" cmp -s "$T/first.pot" "$POT"

sed -i -e 's|^printf( _nx|/* translators: %d: number of files. */\nprintf( _nx|' \
	-e 's|^$noop = |/* translators: %s: number of posts. */\n$noop = |' "$P/sample.php"
check "--strict passes once every placeholder string has a translators: comment" "$MAKE_POT" --source "$P" --pot "$POT" --strict

echo "i18n: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
