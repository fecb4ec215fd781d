#!/usr/bin/env bash
# Usage: scripts/deb/check-ini.sh
#
# The packaged packaging/presence.ini must document every setting the extension registers
# (src/php/ini.rs) with the same default, and every setting of the README's "Ini settings"
# table. A setting the template documents that ini.rs does not (yet) register is a warning:
# settings are added on other branches first. Exits 1 on a missing or wrong setting.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd -P)"
INI="$ROOT/packaging/presence.ini"

declare -A doc
while IFS=$'\t' read -r name value; do doc[$name]="$value"; done < <(
	sed -n 's/^;\(presence\.[a-z_]*\) *= *\(.*\)$/\1\t\2/p' "$INI")

errors=0
declare -A registered
while IFS=$'\t' read -r name value; do
	registered[$name]=1
	if [ -z "${doc[$name]+set}" ]; then
		echo "check-ini: $name (ini.rs) is not documented in packaging/presence.ini" >&2
		errors=$((errors + 1))
	elif [ "${doc[$name]}" != "$value" ]; then
		echo "check-ini: $name defaults to '$value' in ini.rs but packaging/presence.ini says '${doc[$name]}'" >&2
		errors=$((errors + 1))
	fi
done < <(
	# rustfmt may put an entry's arguments on lines of their own: join the file first.
	tr '\n' ' ' <"$ROOT/src/php/ini.rs" | grep -o 'IniEntryDef::new( *c"presence\.[a-z_]*", *c"[^"]*"' |
		sed 's/IniEntryDef::new( *c"\([^"]*\)", *c"\([^"]*\)"/\1\t\2/')
[ ${#registered[@]} -gt 0 ] || { echo "check-ini: no settings found in src/php/ini.rs" >&2; exit 1; }

for name in $(sed -n 's/^| `\(presence\.[a-z_]*\)` |.*/\1/p' "$ROOT/README.md"); do
	if [ -z "${doc[$name]+set}" ]; then
		echo "check-ini: $name (README table) is not documented in packaging/presence.ini" >&2
		errors=$((errors + 1))
	fi
done
for name in "${!doc[@]}"; do
	[ -n "${registered[$name]+set}" ] || echo "check-ini: warning: $name is documented but src/php/ini.rs does not register it" >&2
done
[ "$errors" -eq 0 ] || exit 1
echo "check-ini: packaging/presence.ini documents all ${#registered[@]} settings of src/php/ini.rs"
