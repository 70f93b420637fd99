#!/bin/sh
# Run login.test.mjs, or skip (exit 77, meson's SKIP) naming what is
# missing: node, Debian's chromium, or playwright-core (install.sh).
# tools/run-tests.sh installs them all and fails on any skip.
cd "$(dirname "$0")" || exit 1
skip() {
	echo "SKIP: $1 is not installed ($2)"
	exit 77
}
command -v node >/dev/null 2>&1 || skip node "apt-get install nodejs, or run tests/browser/install.sh"
[ -x "${PROAUTH2_CHROMIUM:-/usr/bin/chromium}" ] ||
	skip chromium "apt-get install chromium, or run tests/browser/install.sh"
node --input-type=module -e "await import('playwright-core')" >/dev/null 2>&1 ||
	skip playwright-core "run tests/browser/install.sh"
exec node --test login.test.mjs
