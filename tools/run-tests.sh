#!/bin/sh
# Build proauth2 and run every test suite three ways: a plain build, under
# AddressSanitizer + UndefinedBehaviorSanitizer, and under valgrind.
# Everything a test needs is installed first, so a skipped test fails the
# run. tools/run-tests.sh --no-skips LOG.json checks one meson test log.
set -eu
cd "$(dirname "$0")/.."

# no_skips LOG.json: fail, naming them, if tests in the log were skipped.
no_skips() {
	/usr/bin/python3 - "$1" <<'EOF'
import json
import sys

skipped = []
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        if test["result"] == "SKIP":
            why = [l for l in test.get("stdout", "").splitlines() if "SKIP" in l]
            skipped.append("%s (%s)" % (test["name"], why[0] if why else "no reason given"))
for name in skipped:
    print("skipped, which fails the run: " + name)
sys.exit(1 if skipped else 0)
EOF
}
if [ "${1:-}" = "--no-skips" ]; then
	no_skips "$2"
	exit
fi
. tools/deps.sh
# The end-to-end tests: real OAuth clients from Debian, and a browser; the
# MongoDB tests' server (mongomock behind mockupdb's wire protocol); openssl
# for the certificate of the metadata documents' https server.
install_missing python3-requests python3-requests-oauthlib python3-authlib curl jq \
	python3-mongomock python3-mockupdb openssl
tests/browser/install.sh
tests/e2e/js/install.sh

jobs=$(nproc)

setup() {  # setup DIR [meson options...]
	dir=$1
	shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

status=0
run() {  # run DIR [meson test options...]
	dir=$1
	shift
	echo "== meson test in $dir $*"
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@" || status=1
	log=testlog
	case " $* " in
	*" --setup=valgrind "*) log=testlog-valgrind ;;
	*" --setup=replset "*) log=testlog-replset ;;
	esac
	no_skips "$dir/meson-logs/$log.json" || status=1
}

# MongoDB: built and tested, never skipped (MONGODB_URI: a real server).
setup build --buildtype=debugoptimized -Dmongodb=enabled
run build
# Again on a replica-set member: transactions and retryable writes.
run build --setup=replset --suite=mongodb --no-rebuild

# Sanitizers: any report fails the test (no recovery, leaks checked).
setup build-sanitize --buildtype=debug -Dmongodb=enabled -Db_sanitize=address,undefined \
	-Db_lundef=false -Dc_args=-fno-sanitize-recover=all
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run build-sanitize

run build --setup=valgrind --no-rebuild

# Every parser under libFuzzer, each target for a bounded time from its
# seeds (tests/fuzz/corpus/<target>/): 195 s in all. -Dfuzz=true
# instruments the whole project (meson.build); the check below makes sure
# the library the targets link has coverage counters, so that no target
# runs blind. -max_len is above the largest input each path accepts (64 KiB
# form and JSON bodies).
setup build-fuzz --buildtype=debugoptimized -Dfuzz=true -Dtests=false \
	-Dexamples=false -Dmongodb=enabled -Db_lundef=false --native-file tools/clang.ini
for objects in build-fuzz/lib/libproauth2_objects.a \
		build-fuzz/datastores/mongodb/libproauth2_mongodb_objects.a; do
	if ! nm -u "$objects" | grep -q __sanitizer_cov_trace_cmp; then
		echo "fuzz: $objects has no coverage counters"
		status=1
	fi
done
# Sequences (tests/fuzz/sequences/<target>/<name>/): inputs that fail
# only after what earlier inputs left behind, run in the order of their
# names, each sequence in a process of its own.
for sequence in tests/fuzz/sequences/*/*/; do
	[ -d "$sequence" ] || continue  # no sequence: the pattern itself
	target=$(basename "$(dirname "$sequence")")
	echo "== fuzz_$target sequence $(basename "$sequence")"
	if ! "build-fuzz/tests/fuzz/fuzz_$target" "$sequence"* \
			> build-fuzz/sequence.log 2>&1; then
		tail -n 40 build-fuzz/sequence.log
		status=1
	fi
done
# target seconds max_len
fuzz_targets="request 25 70000
register 25 70000
revoke 20 70000
metadata 10 4096
bearer 15 16384
ticket 25 70000
jws 15 20000
bson 20 70000
demo 40 70000"
# PROAUTH2_FUZZ_SCALE=N: each target N times as long (at least 1 s).
scale=${PROAUTH2_FUZZ_SCALE:-1}
rm -f build-fuzz/fuzz-failed  # a failure is this run's
echo "$fuzz_targets" | while read -r target seconds max_len; do
	seconds=$((seconds * scale))
	[ "$seconds" -ge 1 ] || seconds=1  # 0 would mean forever
	dir=build-fuzz/corpus/$target
	log=build-fuzz/fuzz-$target.log
	rm -rf "$dir" && mkdir -p "$dir"
	echo "== fuzz_$target for $seconds s"
	if build-fuzz/tests/fuzz/fuzz_$target -max_total_time="$seconds" \
			-max_len="$max_len" -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=build-fuzz/ "$dir" "tests/fuzz/corpus/$target" \
			> "$log" 2>&1; then
		grep -E "^#[0-9]+.*DONE" "$log" || true
	else
		tail -n 40 "$log"
		echo failed > build-fuzz/fuzz-failed
	fi
done
if [ -e build-fuzz/fuzz-failed ]; then
	rm -f build-fuzz/fuzz-failed
	status=1
fi

# One closing line over every run: Check's per-suite counts, summed.
cat build/meson-logs/testlog.txt build/meson-logs/testlog-valgrind.txt \
	build-sanitize/meson-logs/testlog.txt 2>/dev/null |
	awk '/Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "Checks:") checks += $(i + 1)
			if ($i == "Failures:") failed += $(i + 1)
			if ($i == "Errors:") failed += $(i + 1)
		}
	}
	END { printf "checks: %d passed, %d failed\n", checks - failed, failed }'
exit $status
