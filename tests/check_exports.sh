#!/bin/sh
# A library exports exactly the symbols its version script lists, and the
# script lists exactly the functions its public headers declare
# PROAUTH2_EXPORT.
#   check_exports.sh LIBRARY VERSION_SCRIPT HEADER...
set -eu
lib=$1
map=$2
shift 2
expected=$(sed -n 's/^[[:space:]]*\(proauth2_[a-z0-9_]*\);$/\1/p' "$map" | sort)
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {sub(/@.*/, "", $3); print $3}' | sort)
if [ "$expected" != "$actual" ]; then
	echo "exported symbols (>) differ from $map (<):"
	printf '%s\n' "$expected" > /tmp/proauth2-expected.$$
	printf '%s\n' "$actual" | diff /tmp/proauth2-expected.$$ - || true
	rm -f /tmp/proauth2-expected.$$
	exit 1
fi
# Declarations joined into one line, each read up to its "(".
declared=$(cat "$@" | tr '\n' ' ' |
	grep -Eo 'PROAUTH2_EXPORT[[:space:]][^;(#]*proauth2_[a-z0-9_]*[[:space:]]*\(' |
	sed 's/.*\(proauth2_[a-z0-9_]*\)[[:space:]]*($/\1/' | sort -u)
missing=$(printf '%s\n' "$declared" | grep -vxF "$expected" || true)
if [ -n "$missing" ]; then
	echo "declared PROAUTH2_EXPORT in $* but not in $map:"
	printf '%s\n' "$missing"
	exit 1
fi
undeclared=$(printf '%s\n' "$expected" | grep -vxF "$declared" || true)
if [ -n "$undeclared" ]; then
	echo "in $map but declared PROAUTH2_EXPORT in none of $*:"
	printf '%s\n' "$undeclared"
	exit 1
fi
count=$(printf '%s\n' "$expected" | wc -l)
echo "exports: $count symbols match $map and the headers' declarations"
