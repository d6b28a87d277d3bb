#!/usr/bin/env bash
# bench/live-idle.sh: N idle subscriptions (default 10,000) on one Vitrine process over the
# embedded store; reports the server's RSS and its CPU time while idle. Target: RSS <= 300 MB,
# no CPU when idle. Writes bench/results/live-idle-<time>.txt.
#
#   N=10000 bash bench/live-idle.sh
set -Eeuo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
n=${N:-10000}
work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-live.XXXXXX")
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cleanup() { [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
(cd "$root" && go build -o "$work/vitrine" ./cmd/vitrine && go build -o "$work/liveidle" ./bench/liveidle)
port=${PORT:-18480}
# Every connection comes from 127.0.0.1: lift the per-IP caps (connections, and the HTTP request
# rate, which counts upgrades); leave room over N.
VITRINE_DATA_DIR="$work/data" VITRINE_WS_MAX_CONNECTIONS_PER_IP=0 VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_WS_MAX_CONNECTIONS=$((n + 100)) \
	VITRINE_LOG_LEVEL=warn "$work/vitrine" serve -addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
out="$here/results/live-idle-$(date -u +%Y-%m-%dT%H%M%SZ).txt"
{
	echo "live-idle: $n subscriptions (ratingStatsChanged, one per connection), $(nproc) cores, $(date -u)"
	"$work/liveidle" -url "ws://127.0.0.1:$port/graphql" -n "$n" -pid "$pid" -idle "${IDLE:-30s}"
} | tee "$out"
