#!/bin/sh
# Install what the browser test needs, only what is missing: Debian's
# chromium, node and npm, and playwright-core at the version
# package-lock.json pins (it downloads no browser of its own).
# Called from tools/run-tests.sh; safe to run again.
set -eu
here=$(dirname "$0")
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec "$here/../../tools/npm-pinned.sh" "$here" playwright-core chromium
