#!/bin/sh
# Build proauth2 and walk through an OAuth grant on an SQLite file:
# register -> code -> token -> validate -> refresh -> revoke.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
[ -d build ] || meson setup build --buildtype=debugoptimized >/dev/null
ninja -C build example/walkthrough >/dev/null
exec build/example/walkthrough "${1:-build/proauth2-demo.db}"
