# shellcheck shell=bash
# Sourced by the scripts that fetch Debian packages without touching the system's apt state.
#
# private_apt_init STATE SUITE [STATUS]
#   Makes STATE/{sources.list,lists,cache} for one SUITE of the Debian mirror this system's apt
#   already uses (scripts/apt/debian-mirror.sh; fails with its message when there is none) and
#   sets the array PRIVATE_APT to the apt-get/apt-cache options that use only that state.
#   STATUS is the dpkg status apt resolves against: the system's by default; an empty file
#   makes apt resolve every dependency, as for a root of its own.
private_apt_init() {
	local state="$1" suite="$2" status="${3:-/var/lib/dpkg/status}" here mirror
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	mirror="$("$here/debian-mirror.sh")" || return 1
	mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/none.d"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$state/sources.list.new"
	# A changed mirror invalidates the lists fetched from the old one.
	if ! cmp -s "$state/sources.list.new" "$state/sources.list"; then
		rm -f "$state/lists/"*_* "$state/lists.stamp"
	fi
	mv -f "$state/sources.list.new" "$state/sources.list"
	# shellcheck disable=SC2034 # read by the scripts that source this file
	PRIVATE_APT_MIRROR="$mirror"
	PRIVATE_APT=(
		-o "Dir::Etc::sourcelist=$state/sources.list"
		-o "Dir::Etc::sourceparts=$state/none.d"
		-o "Dir::Etc::preferences=$state/none.d/preferences"
		-o "Dir::Etc::preferencesparts=$state/none.d"
		-o "Dir::State=$state"
		-o "Dir::State::Lists=$state/lists"
		-o "Dir::State::status=$status"
		-o "Dir::Cache=$state/cache"
		-o "APT::Get::List-Cleanup=0"
		-o "APT::Install-Recommends=0"
		-o "Debug::NoLocking=1"
		-o "APT::Sandbox::User=root"
	)
}

# private_apt_update STATE [MAX_AGE_SECONDS]: apt-get update, skipped while the lists are younger
# than MAX_AGE_SECONDS (default 0: always).
private_apt_update() {
	local state="$1" max_age="${2:-0}" stamp="$1/lists.stamp"
	if [ "$max_age" -gt 0 ] && [ -f "$stamp" ] && [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -lt "$max_age" ]; then
		return 0
	fi
	apt-get -qq "${PRIVATE_APT[@]}" update >&2 || return 1
	touch "$stamp"
}
