#!/bin/sh
# lib/http is a client of the grant engine only: besides system headers it
# includes <proauth2/*.h> and its own headers, never one of lib/ (the build
# keeps lib/ off its include path; this catches "../internal.h").
set -eu
dir=$1
bad=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"/*.c "$dir"/*.h |
	grep -v '#[[:space:]]*include[[:space:]]*"[a-z_]*\.h"' || true)
bad="$bad$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[^>]*\.\.' \
	"$dir"/*.c "$dir"/*.h || true)"
for f in $(grep -ho '#[[:space:]]*include[[:space:]]*"[a-z_]*\.h"' "$dir"/*.c "$dir"/*.h |
		sed 's/.*"\(.*\)"/\1/' | sort -u); do
	[ -f "$dir/$f" ] || bad="$bad
$f: not a header of $dir"
done
if [ -n "$bad" ]; then
	echo "lib/http includes what is not its own:$bad"
	exit 1
fi
echo "layers: lib/http includes only <proauth2/*.h>, system headers and its own"
