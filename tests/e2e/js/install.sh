#!/bin/sh
# Install what the JavaScript client test needs, only what is missing:
# node and npm from Debian, and oauth4webapi at the version
# package-lock.json pins. Safe to run again.
set -eu
here=$(dirname "$0")
exec "$here/../../../tools/npm-pinned.sh" "$here" oauth4webapi
