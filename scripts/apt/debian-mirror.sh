#!/usr/bin/env bash
# Usage: scripts/apt/debian-mirror.sh [--sources-list FILE] [--sources-parts DIR]
#
# Prints the Debian archive mirror this system's apt is configured with (for example
# "http://mirror.example.org/debian", no trailing slash) and exits 0; exits 1 with a message
# naming the files it read when there is none. Nothing is hard-coded: a host that reaches
# Debian only through its own mirror must be fetched from that mirror.
#
# Read: the one-line format (sources.list, sources.list.d/*.list) and deb822 (*.sources), from
# apt's own Dir::Etc::sourcelist and Dir::Etc::sourceparts unless given. An entry counts when it
# is an enabled `deb` entry for a Debian suite (sid, unstable, testing, stable, a codename,
# with -updates/-backports), not the security archive, with the main component, over http(s),
# and signed by Debian's archive keyring or by apt's default keys (a third-party repository
# that reuses a Debian codename names its own Signed-By keyring).
set -euo pipefail

list="" parts=""
while [ $# -gt 0 ]; do
	case "$1" in
	--sources-list) list="$2"; shift 2 ;;
	--sources-parts) parts="$2"; shift 2 ;;
	*) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
if [ -z "$list" ] || [ -z "$parts" ]; then
	eval "$(apt-config shell APT_LIST Dir::Etc::sourcelist/f APT_PARTS Dir::Etc::sourceparts/d 2>/dev/null || true)"
	[ -n "$list" ] || list="${APT_LIST:-/etc/apt/sources.list}"
	[ -n "$parts" ] || parts="${APT_PARTS:-/etc/apt/sources.list.d/}"
fi
parts="${parts%/}"

one_line=() deb822=()
[ -f "$list" ] && one_line+=("$list")
for f in "$parts"/*.list; do [ -f "$f" ] && one_line+=("$f"); done
for f in "$parts"/*.sources; do [ -f "$f" ] && deb822+=("$f"); done

# Both parsers print "URI<TAB>SUITES<TAB>COMPONENTS<TAB>SIGNED-BY" for each enabled deb entry.
entries() {
	if [ ${#one_line[@]} -gt 0 ]; then
		awk '
			{ sub(/#.*/, "") }
			$1 != "deb" { next }
			{
				line = $0; sub(/^[ \t]*deb[ \t]+/, "", line); signed = ""
				if (line ~ /^\[/) {
					opts = line; sub(/\].*/, "", opts); sub(/^\[/, "", opts)
					sub(/^\[[^]]*\][ \t]*/, "", line)
					n = split(opts, o, /[ \t]+/)
					for (i = 1; i <= n; i++) if (o[i] ~ /^signed-by=/) { signed = o[i]; sub(/^signed-by=/, "", signed) }
				}
				n = split(line, w, /[ \t]+/)
				if (n < 3) next
				comps = w[3]; for (i = 4; i <= n; i++) comps = comps " " w[i]
				printf "%s\t%s\t%s\t%s\n", w[1], w[2], comps, signed
			}' "${one_line[@]}"
	fi
	local f
	for f in "${deb822[@]}"; do
		# One stanza per paragraph; a field continues on lines that start with a space (an inline
		# Signed-By key block), which only matter here as "not a keyring path".
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" && uris != "") {
					n = split(uris, u, / +/)
					for (i = 1; i <= n; i++) printf "%s\t%s\t%s\t%s\n", u[i], suites, comps, signed
				}
				types = ""; uris = ""; suites = ""; comps = ""; signed = ""; enabled = ""; field = ""
			}
			/^#/ { next }
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { if (field == "signed-by" && signed == "") signed = "(inline key)"; next }
			{
				field = tolower($0); sub(/:.*/, "", field)
				value = $0; sub(/^[^:]*:[ \t]*/, "", value); sub(/[ \t]+$/, "", value)
				if (field == "types") types = value
				else if (field == "uris") uris = value
				else if (field == "suites") suites = value
				else if (field == "components") comps = value
				else if (field == "signed-by") signed = value
				else if (field == "enabled") enabled = value
			}
			END { flush() }' "$f"
	done
}

debian_suite='^(sid|unstable|experimental|testing|stable|oldstable|oldoldstable|jessie|stretch|buster|bullseye|bookworm|trixie|forky|duke)(-updates|-backports|-proposed-updates)?$'
mirror=""
while IFS=$'\t' read -r uri suites comps signed; do
	[[ "$uri" =~ ^https?:// ]] || continue
	[[ "$uri" == *debian-security* ]] && continue
	[[ " $comps " == *" main "* ]] || continue
	case "$signed" in
	"" | /usr/share/keyrings/debian-archive-keyring.gpg | /usr/share/keyrings/debian-archive-*.gpg | /etc/apt/trusted.gpg.d/debian-archive-*) ;;
	*) continue ;;
	esac
	ok=0
	for s in $suites; do
		[[ "$s" =~ $debian_suite ]] && ok=1
	done
	[ "$ok" = 1 ] || continue
	mirror="${uri%/}"
	break
done < <(entries)

if [ -z "$mirror" ]; then
	{
		echo "debian-mirror: no Debian archive mirror in this system's apt sources."
		echo "  read: ${one_line[*]:-(no one-line sources)} ${deb822[*]:-(no deb822 sources)}"
		echo "  Add the Debian mirror this host uses to apt's sources (a 'deb URI bookworm main' line or a"
		echo "  deb822 stanza); it is used, with a private apt state, to fetch Debian sid packages."
	} >&2
	exit 1
fi
echo "$mirror"
