#!/bin/sh
# Build proauth2 and run example/provider_demo: an OAuth 2 authorization
# server on http://127.0.0.1:8080 with an SQLite file, provider_demo.db.
# Arguments go to the demo (try --help); Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
[ -d build ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build example/provider_demo >/dev/null
exec build/example/provider_demo "$@"
