#!/usr/bin/env bash
# bench/live-fanout.sh: subscription fan-out on Postgres (issue 15's targets), with bench/livefan:
#   fanout      1,000 subscribers of one product: p99 from the rating to the event <= 100 ms;
#               rateProduct throughput with them within 10% of none.
#   dashboards  1,000 subscribers of one category's aggregate while 500 ratings/s arrive: at most
#               one event per subscriber per second, the last one equal to a fresh ratingStats.
# It loads the demo catalog into a fresh database (vitrine_live_bench), starts one server with the
# request-rate limits and the cost throttle off (they would refuse the load, not measure it), and
# writes bench/results/live-fanout-<time>.txt.
#
#   bash bench/live-fanout.sh                    # both scenarios
#   SCENARIOS=fanout SUBSCRIBERS=1000 bash bench/live-fanout.sh
set -Eeuo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
subscribers=${SUBSCRIBERS:-1000}
scenarios=${SCENARIOS:-fanout dashboards}
duration=${DURATION:-20s}
rate=${RATE:-500}
admin_url=${BENCH_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
db_url=${admin_url/\/postgres\?/\/vitrine_live_bench?}
work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-fanout.XXXXXX")
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cleanup() { [[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
(cd "$root" && go build -o "$work/vitrine" ./cmd/vitrine && go build -o "$work/livefan" ./bench/livefan)
psql -X -q -d "$admin_url" -c "DROP DATABASE IF EXISTS vitrine_live_bench" -c "CREATE DATABASE vitrine_live_bench"
DATABASE_URL=$db_url "$work/vitrine" migrate >/dev/null
DATABASE_URL=$db_url "$work/vitrine" seed
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=${PORT:-18490}
DATABASE_URL=$db_url VITRINE_JWT_SECRET=$secret VITRINE_LOG_LEVEL=warn \
	VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_RATE_LIMIT_MUTATIONS=0 VITRINE_COST_BUCKET=0 \
	VITRINE_WS_MAX_CONNECTIONS_PER_IP=0 VITRINE_WS_MAX_CONNECTIONS=$((subscribers + 100)) \
	VITRINE_PPROF_ADDR=${PPROF_ADDR:-} "$work/vitrine" serve -addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
out="$here/results/live-fanout-$(date -u +%Y-%m-%dT%H%M%SZ).txt"
{
	echo "live-fanout: $subscribers subscribers, $(nproc) cores, Postgres $(psql -X -At -d "$db_url" -c 'SHOW server_version'), $(date -u)"
	echo "other load on the machine before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
	for s in $scenarios; do
		cpu0=$(awk '{print $14+$15}' "/proc/$pid/stat")
		"$work/livefan" -url "http://127.0.0.1:$port" -db "$db_url" -secret "$secret" -scenario "$s" \
			-subscribers "$subscribers" -duration "$duration" -rate "$rate"
		cpu1=$(awk '{print $14+$15}' "/proc/$pid/stat")
		echo "server CPU during $s: $(((cpu1 - cpu0) / $(getconf CLK_TCK))) s; RSS now $(($(awk '/VmRSS/{print $2}' "/proc/$pid/status") >> 10)) MB"
		echo
	done
	if grep -q '"level":"ERROR"' "$work/server.log"; then
		echo "server errors:"; grep '"level":"ERROR"' "$work/server.log" | head -5
	fi
} | tee "$out"
