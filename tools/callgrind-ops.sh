#!/bin/sh
# Instructions per operation of bench_core's steps, counted by callgrind:
# the regression figure that machine noise does not move (wall times on a
# shared machine move by 10-30% between runs; these by well under 1%).
#   tools/callgrind-ops.sh [COUNT] [BACKEND]     (2000 items, sqlite-memory)
# Builds build-bench/ (release) first; one thread; about a minute.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
count=${1:-2000}
backend=${2:-sqlite-memory}

[ -d build-bench ] || meson setup build-bench --buildtype=release >/dev/null
ninja -C build-bench >/dev/null
out=$(mktemp /tmp/proauth2-callgrind-XXXXXX)
trap 'rm -f "$out"' EXIT INT TERM
valgrind -q --tool=callgrind --callgrind-out-file="$out" \
	build-bench/bench/bench_core --count "$count" --threads 1 --backend "$backend" >/dev/null

echo "== instructions per operation, $backend, one thread, $count items (callgrind)"
# In the caller tree, "< ???:work (N x)" precedes "*  ???:step_NAME": the
# step's inclusive count over its N calls.
callgrind_annotate --tree=caller --inclusive=yes --threshold=100 "$out" 2>/dev/null | awk '
	/< \?\?\?:work \(/ {
		calls = $0; sub(/.*\(/, "", calls); sub(/x\).*/, "", calls); gsub(/,/, "", calls)
		next
	}
	/\*  \?\?\?:step_/ && calls != "" {
		ir = $1; gsub(/,/, "", ir)
		name = $0; sub(/.*step_/, "", name); sub(/ .*/, "", name)
		printf "%-26s %10.0f Ir/op  (%d calls)\n", name, ir / calls, calls
	}
	{ calls = "" }' | sort -k2 -n
