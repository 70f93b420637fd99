#!/bin/sh
# tools/npm-pinned.sh DIR PACKAGE [DEBIAN_PACKAGE...]: install what a
# Node-based test in DIR needs, only what is missing: node and npm (and the
# Debian packages named) from apt, then PACKAGE at the version DIR's
# package-lock.json pins (npm ci). Safe to run again.
set -eu
dir=$1
package=$2
shift 2

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_missing=""
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
		apt_missing="$apt_missing $pkg"
done
command -v node >/dev/null 2>&1 || apt_missing="$apt_missing nodejs"
command -v npm >/dev/null 2>&1 || apt_missing="$apt_missing npm"
if [ -n "$apt_missing" ]; then
	echo "installing:$apt_missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $apt_missing
fi

cd "$dir"
want=$(node -e 'console.log(require("./package-lock.json").packages["node_modules/" + process.argv[1]].version)' "$package")
have=$(node -e 'try { console.log(require("./node_modules/" + process.argv[1] + "/package.json").version) } catch { console.log("") }' "$package")
if [ "$want" != "$have" ]; then
	echo "installing: $package $want (npm ci in $dir)"
	npm ci --no-audit --no-fund
fi
