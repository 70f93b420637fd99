#!/bin/sh
# Install what the JavaScript client test needs, only what is missing:
# node and npm from Debian, and oauth4webapi at the version
# package-lock.json pins (npm ci). Safe to run again.
set -eu
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_missing=""
command -v node >/dev/null 2>&1 || apt_missing="$apt_missing nodejs"
command -v npm >/dev/null 2>&1 || apt_missing="$apt_missing npm"
if [ -n "$apt_missing" ]; then
	echo "installing:$apt_missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $apt_missing
fi

want=$(node -e 'console.log(require("./package-lock.json").packages["node_modules/oauth4webapi"].version)')
have=$(node -e 'try { console.log(require("./node_modules/oauth4webapi/package.json").version) } catch { console.log("") }')
if [ "$want" != "$have" ]; then
	echo "installing: oauth4webapi $want (npm ci in tests/e2e/js)"
	npm ci --no-audit --no-fund
fi
