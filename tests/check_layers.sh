#!/bin/sh
# lib/http is a client of the grant engine only. Its includes: system
# headers, <proauth2/*.h>, its own headers and lib/util/'s pure helpers,
# never another of lib/ (the build keeps lib/ off its include path; this
# catches "../internal.h"). Its objects: every engine function they call is
# an exported one (this catches an extern declaration of an internal).
#
#   check_layers.sh HTTP_DIR UTIL_DIR HTTP_LIB UTIL_LIB ENGINE_LIB SYMBOL_MAP
set -eu
dir=$1 util=$2 http_lib=$3 util_lib=$4 engine_lib=$5 map=$6

bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.c "$dir"/*.h |
	grep -v '#[[:space:]]*include[[:space:]]*"[a-z0-9_]*\.h"' || true)
bad="$bad$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[^>]*\.\.' \
	"$dir"/*.c "$dir"/*.h || true)"
for f in $(grep -ho '#[[:space:]]*include[[:space:]]*"[a-z0-9_]*\.h"' "$dir"/*.c "$dir"/*.h |
		sed 's/.*"\(.*\)"/\1/' | sort -u); do
	[ -f "$dir/$f" ] || [ -f "$util/$f" ] || bad="$bad
$f: not a header of $dir or $util"
done
if [ -n "$bad" ]; then
	echo "lib/http includes what is not its own:$bad"
	exit 1
fi

# No trap for the clean-up: dash leaks its string under valgrind's setup.
tmp=$(mktemp -d)
finish() {  # finish STATUS MESSAGE...
	status=$1
	shift
	rm -rf "$tmp"
	printf '%s\n' "$@"
	exit "$status"
}
# What the engine defines: the library's objects less lib/http's and lib/util's.
nm -g --defined-only --format=posix "$http_lib" "$util_lib" 2>/dev/null |
	awk 'NF >= 2 && $2 ~ /^[TDBRVW]$/ { print $1 }' | sort -u > "$tmp/layer"
nm -g --defined-only --format=posix "$engine_lib" 2>/dev/null |
	awk 'NF >= 2 && $2 ~ /^[TDBRVW]$/ { print $1 }' | sort -u |
	comm -23 - "$tmp/layer" > "$tmp/engine"
nm -u --format=posix "$http_lib" | awk '{ print $1 }' | sort -u > "$tmp/called"
sed -n 's/^[[:space:]]*\(proauth2_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u > "$tmp/exported"
[ -s "$tmp/engine" ] && [ -s "$tmp/called" ] && [ -s "$tmp/exported" ] ||
	finish 1 "layers: nm found no symbols to compare"
internal=$(comm -12 "$tmp/called" "$tmp/engine" | comm -23 - "$tmp/exported")
[ -z "$internal" ] ||
	finish 1 "lib/http calls engine functions that are not exported:" "$internal"
finish 0 "layers: lib/http includes only <proauth2/*.h>, system headers, its own \
and lib/util's, and calls only exported engine functions \
($(comm -12 "$tmp/called" "$tmp/engine" | wc -l) of them)"
