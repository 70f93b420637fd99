#!/bin/sh
# Install what building and testing proauth2 needs, from Debian's packages.
# Sourced by the other tools; installs only what is missing.
set -eu

PROAUTH2_PACKAGES="meson ninja-build pkg-config gcc libssl-dev libjansson-dev \
libsqlite3-dev uuid-dev check valgrind clang libclang-rt-14-dev doxygen \
libmicrohttpd-dev libmongoc-dev libcurl4-openssl-dev"

install_missing() {
	missing=""
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $pkg"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# shellcheck disable=SC2086
install_missing $PROAUTH2_PACKAGES
