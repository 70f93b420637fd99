#!/bin/sh
# Build an optimised proauth2 and run every benchmark, in one run so that
# only same-run ratios are read:
#   1. bench_core: the grant engine in process, per backend, 1 and 2 threads,
#      sqlite_processes: 1-3 processes writing one SQLite file, and
#      bench_jws: one JWS signature and verification per algorithm;
#   2. HTTP, with wrk on 127.0.0.1 (2 threads, 50 keep-alive connections):
#      the libmicrohttpd floor (a fixed body), provider_demo's token
#      endpoint (client_credentials, client_secret_basic), introspection and
#      the bearer-protected /api/me, the same two with JWT access tokens
#      (provider_demo --key-file), the token endpoint (both kinds) and
#      introspection with stored clients kept in memory
#      (--client-cache-lifetime 5), and
#      node-oidc-provider's token endpoint and introspection with the same
#      client;
#   3. provider_demo's peak RSS during its run.
# PROAUTH2_BENCH_SECONDS sets each wrk run (10 s); PROAUTH2_BENCH_COUNT
# bench_core's items per operation (20000); MONGODB_URI adds MongoDB rows;
# PROAUTH2_BENCH_ONLY=core or =http runs one part alone.
set -eu
cd "$(dirname "$0")/.."
. tools/deps.sh
install_missing wrk
command -v npm >/dev/null 2>&1 || install_missing nodejs npm
seconds=${PROAUTH2_BENCH_SECONDS:-10}
connections=50  # wrk's, all from 127.0.0.1: the demo's --max-per-ip must allow them
# ...and the last run's too: libmicrohttpd counts a closed connection
# against its address until a worker cleans it up, which may come after
# the next run's connections (seen: 91 reads refused after the token run).
per_ip=$((2 * connections))
count=${PROAUTH2_BENCH_COUNT:-20000}
only=${PROAUTH2_BENCH_ONLY:-}
case $only in
"" | core | http) ;;
*) echo "PROAUTH2_BENCH_ONLY=$only: use core or http" >&2; exit 2 ;;
esac

[ -d build-bench ] || meson setup build-bench --buildtype=release >/dev/null
ninja -C build-bench >/dev/null
[ -d bench/peer/node_modules ] || (cd bench/peer && npm ci --no-audit --no-fund >/dev/null)

work=$(mktemp -d /tmp/proauth2-bench-XXXXXX)
pids=""
cleanup() {
	for pid in $pids; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
if [ "$only" != http ]; then
	echo "== bench_core (in process), $count items per operation"
	build-bench/bench/bench_core --count "$count"
	echo "== several processes on one SQLite file"
	build-bench/bench/sqlite_processes --seconds 3
	echo "== one JWS signature and verification, per algorithm"
	build-bench/bench/bench_jws
fi
[ "$only" != core ] || exit 0

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # wait_for URL: until something answers there (10 s at most)
	i=0
	until curl -s -o /dev/null "$1"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { echo "nothing answers at $1" >&2; exit 1; }
		sleep 0.1
	done
}

# basic_auth FILE: the Authorization header of the demo's confidential
# client, from its credentials file.
basic_auth() {
	python3 -c 'import base64, json, sys
c = json.load(open(sys.argv[1]))["confidential"]
pair = (c["client_id"] + ":" + c["client_secret"]).encode()
print("Basic " + base64.b64encode(pair).decode())' "$1"
}

# access_token AUTH URL [CURL_ARGS...]: a client_credentials token from the
# token endpoint at URL.
access_token() {
	auth=$1
	url=$2
	shift 2
	curl -s -H "Authorization: $auth" -d grant_type=client_credentials "$@" "$url" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# load NAME URL SCRIPT [BODY [AUTH]]: a wrk run (the script reads BODY and
# AUTH); appends "NAME requests/s p50 p99" to the results.
load() {
	BODY=${4:-} AUTH=${5:-} wrk -t2 -c"$connections" -d"${seconds}s" --latency \
		-s "bench/wrk/$3" "$2" > "$work/wrk.txt"
	# A refused or dropped connection measures reconnecting, not the endpoint.
	if grep -q "Non-2xx\|Socket errors" "$work/wrk.txt"; then
		echo "$1: non-2xx answers or socket errors:" >&2
		cat "$work/wrk.txt" >&2
		exit 1
	fi
	awk -v name="$1" '
		/Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = $2 }
		$1 == "99%" { p99 = $2 }
		END { printf "%s %s %s %s\n", name, rps, p50, p99 }' "$work/wrk.txt" \
		>> "$work/results"
}

: > "$work/results"
echo "== HTTP: wrk -t2 -c$connections -d${seconds}s on 127.0.0.1"

# The floor: libmicrohttpd answering a fixed body.
port=$(free_port)
build-bench/bench/http_floor "$port" > /dev/null &
pids="$pids $!"
wait_for "http://127.0.0.1:$port/"
load floor "http://127.0.0.1:$port/token" post_form.lua grant_type=client_credentials
kill $!

# provider_demo on an SQLite file (WAL).
port=$(free_port)
build-bench/example/provider_demo --port "$port" --max-per-ip "$per_ip" --db "$work/demo.db" \
	--credentials-file "$work/creds.json" > "$work/demo.log" 2>&1 &
demo=$!
pids="$pids $demo"
wait_for "http://127.0.0.1:$port/"
basic=$(basic_auth "$work/creds.json")
token=$(access_token "$basic" "http://127.0.0.1:$port/token" -d scope=profile)
load token "http://127.0.0.1:$port/token" post_form.lua \
	grant_type=client_credentials "$basic"
load introspect "http://127.0.0.1:$port/introspect" post_form.lua "token=$token" "$basic"
load api_me "http://127.0.0.1:$port/api/me" get_auth.lua "" "Bearer $token"
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$demo/status")
kill "$demo"

# JWT access tokens (RFC 9068): the demo with signing keys, the token
# endpoint issuing client_credentials JWTs for /mcp (nothing stored) and
# /api/me validating them (no datastore read).
port=$(free_port)
build-bench/example/provider_demo --port "$port" --max-per-ip "$per_ip" --db "$work/demo-jwt.db" \
	--key-file "$work/demo.kek" --credentials-file "$work/creds-jwt.json" \
	> "$work/demo-jwt.log" 2>&1 &
pids="$pids $!"
wait_for "http://127.0.0.1:$port/"
jwt_basic=$(basic_auth "$work/creds-jwt.json")
mcp="http%3A%2F%2F127.0.0.1%3A$port%2Fmcp"
jwt=$(access_token "$jwt_basic" "http://127.0.0.1:$port/token" -d scope=profile \
	-d "resource=$mcp")
load token_jwt "http://127.0.0.1:$port/token" post_form.lua \
	"grant_type=client_credentials&resource=$mcp" "$jwt_basic"
load api_me_jwt "http://127.0.0.1:$port/api/me" get_auth.lua "" "Bearer $jwt"
kill $!

# The same token endpoint with synchronous=NORMAL (no fsync per commit).
port=$(free_port)
build-bench/example/provider_demo --port "$port" --max-per-ip "$per_ip" \
	--db "file:$work/demo-normal.db?synchronous=normal" \
	--credentials-file "$work/creds-normal.json" > "$work/demo-normal.log" 2>&1 &
pids="$pids $!"
wait_for "http://127.0.0.1:$port/"
normal_basic=$(basic_auth "$work/creds-normal.json")
load token_normal "http://127.0.0.1:$port/token" post_form.lua \
	grant_type=client_credentials "$normal_basic"
kill $!

# Stored clients kept in memory (--client-cache-lifetime): authenticating
# the client reads nothing, at the token endpoint (opaque tokens and JWTs)
# and at introspection.
port=$(free_port)
build-bench/example/provider_demo --port "$port" --max-per-ip "$per_ip" --db "$work/demo-cache.db" \
	--client-cache-lifetime 5 --key-file "$work/demo-cache.kek" \
	--credentials-file "$work/creds-cache.json" > "$work/demo-cache.log" 2>&1 &
pids="$pids $!"
wait_for "http://127.0.0.1:$port/"
cache_basic=$(basic_auth "$work/creds-cache.json")
cache_token=$(access_token "$cache_basic" "http://127.0.0.1:$port/token" -d scope=profile)
mcp="http%3A%2F%2F127.0.0.1%3A$port%2Fmcp"
load token_cached "http://127.0.0.1:$port/token" post_form.lua \
	grant_type=client_credentials "$cache_basic"
load introspect_cached "http://127.0.0.1:$port/introspect" post_form.lua \
	"token=$cache_token" "$cache_basic"
load token_jwt_cached "http://127.0.0.1:$port/token" post_form.lua \
	"grant_type=client_credentials&resource=$mcp" "$cache_basic"
kill $!

# The peer: node-oidc-provider, same client and load.
port=$(free_port)
peer_secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["confidential"]["client_secret"])' "$work/creds.json")
node bench/peer/peer.mjs "$port" bench "$peer_secret" > "$work/peer.log" 2>&1 &
pids="$pids $!"
wait_for "http://127.0.0.1:$port/.well-known/openid-configuration"
peer_basic="Basic $(printf 'bench:%s' "$peer_secret" | base64 -w0)"
peer_token=$(access_token "$peer_basic" "http://127.0.0.1:$port/token" -d scope=read)
load peer_token "http://127.0.0.1:$port/token" post_form.lua \
	"grant_type=client_credentials&scope=read" "$peer_basic"
load peer_introspect "http://127.0.0.1:$port/token/introspection" post_form.lua \
	"token=$peer_token" "$peer_basic"

echo
awk '
	{ rps[$1] = $2; p50[$1] = $3; p99[$1] = $4; order[NR] = $1 }
	END {
		printf "%-18s %12s %10s %10s %9s %9s\n", "endpoint", "requests/s",
			"p50", "p99", "vs floor", "vs peer"
		for (i = 1; i <= NR; i++) {
			n = order[i]
			vs_peer = "-"
			if (n == "token" || n == "token_normal" || n == "token_cached")
				vs_peer = sprintf("%.1fx", rps[n] / rps["peer_token"])
			if (n == "introspect" || n == "introspect_cached")
				vs_peer = sprintf("%.1fx", rps[n] / rps["peer_introspect"])
			printf "%-18s %12.0f %10s %10s %8.0f%% %9s\n", n, rps[n], p50[n],
				p99[n], 100 * rps[n] / rps["floor"], vs_peer
		}
	}' "$work/results"
echo "provider_demo peak RSS: $((rss / 1024)) MiB"
