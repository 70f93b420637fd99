#!/bin/sh
# Install what the JavaScript client tests need, only what is missing:
# node and npm from Debian, and oauth4webapi, jose and @modelcontextprotocol/sdk
# at the versions package-lock.json pins. Safe to run again.
set -eu
here=$(dirname "$0")
"$here/../../../tools/npm-pinned.sh" "$here" oauth4webapi
"$here/../../../tools/npm-pinned.sh" "$here" jose
"$here/../../../tools/npm-pinned.sh" "$here" @modelcontextprotocol/sdk
