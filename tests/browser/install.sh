#!/bin/sh
# Install what the browser test needs, only what is missing: Debian's
# chromium, and playwright-core at the version package-lock.json pins
# (npm ci; playwright-core downloads no browser of its own).
# Called from tools/deps.sh; safe to run again.
set -eu
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_missing=""
[ -x /usr/bin/chromium ] || apt_missing="$apt_missing chromium"
command -v node >/dev/null 2>&1 || apt_missing="$apt_missing nodejs"
command -v npm >/dev/null 2>&1 || apt_missing="$apt_missing npm"
if [ -n "$apt_missing" ]; then
	echo "installing:$apt_missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $apt_missing
fi

want=$(node -e 'console.log(require("./package-lock.json").packages["node_modules/playwright-core"].version)')
have=$(node -e 'try { console.log(require("./node_modules/playwright-core/package.json").version) } catch { console.log("") }')
if [ "$want" != "$have" ]; then
	echo "installing: playwright-core $want (npm ci in tests/browser)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
