#!/usr/bin/env bash
# bench/redis-faults.sh: request latency with Redis healthy, frozen and down.
#
#   bash bench/redis-faults.sh
#
# 1. Builds vitrine, starts a throwaway redis-server on a free loopback port (never the
#    system's), and serves vitrine with its embedded demo store and that Redis for persisted
#    queries and both rate limits (limits high enough never to refuse: every request then asks
#    Redis for a token, which puts Redis on every request's path).
# 2. For each phase — normal, frozen (the redis-server SIGSTOPped: sockets open, no answer),
#    down (the redis-server killed: connection refused) — runs wrk for BENCH_DURATION seconds
#    on a read (`products(first: 10)`) and then on a mutation (`deleteRating` without a token:
#    it spends a mutation token, opens and rolls back a transaction and answers
#    UNAUTHENTICATED), and records p50/p99/max, requests per second, non-200 answers and
#    server-side error codes.
# 3. Prints the table and writes it, with the server's Redis log lines, to
#    bench/results/redis-faults-<UTC timestamp>.txt. The load average before each run is
#    recorded: the machine is shared, and a busy one shows there.
#
# Knobs: BENCH_DURATION (s per run, default 10), BENCH_CONNECTIONS (8), BENCH_THREADS (2).
set -Eeuo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-8}
threads=${BENCH_THREADS:-2}

log() { printf '[redis-faults %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for v in duration conns threads; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_${v^^} must be a positive integer"
done
((duration <= 120)) || die "BENCH_DURATION must be at most 120 s"
for tool in wrk redis-server; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk redis-server)"
done

work=$(mktemp -d)
redis_pid='' server_pid=''
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [[ -n $redis_pid ]]; then
    kill -CONT "$redis_pid" 2>/dev/null || true
    kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # url
  for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}

log "building vitrine"
(cd "$repo" && go build -o "$work/vitrine" ./cmd/vitrine) || die "go build failed"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

port=$(free_port)
VITRINE_ADDR=127.0.0.1:$port VITRINE_DATA_DIR=$work/data \
  VITRINE_REDIS_URL=redis://127.0.0.1:$redis_port/0 \
  VITRINE_RATE_LIMIT_QUERIES=100000000 VITRINE_RATE_LIMIT_MUTATIONS=100000000 \
  "$work/vitrine" serve >"$work/server.log" 2>&1 &
server_pid=$!
wait_http "http://127.0.0.1:$port/healthz" || die "vitrine did not start: $(tail -5 "$work/server.log")"
log "vitrine on :$port, redis-server on :$redis_port"

printf '{"query":"{ products(first: 10) { edges { node { name price { amount } } } } }"}' >"$work/read.json"
printf '{"query":"mutation { deleteRating(productID: \\"UHJvZHVjdDox\\") }"}' >"$work/mutation.json"

results=$work/results.txt
printf '%-8s %-9s %8s %8s %8s %9s %7s %9s %6s\n' phase workload rps p50_ms p99_ms max_ms non200 server_err load1 >"$results"
measure() { # phase
  for workload in read mutation; do
    local load line
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$(BENCH_BODY_FILE=$work/$workload.json wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 30s \
      -s "$bench_dir/redis-faults.lua" "http://127.0.0.1:$port/graphql" | grep '^BENCH ')
    # shellcheck disable=SC2086
    local $(echo "${line#BENCH }")
    printf '%-8s %-9s %8s %8s %8s %9s %7s %9s %6s\n' "$1" "$workload" "$rps" "$p50_ms" "$p99_ms" "$max_ms" \
      "$non200" "$server_errors" "$load" >>"$results"
    log "$1 $workload: $line"
  done
}

# Warm-up: the first requests compile the documents and fill the pools.
BENCH_BODY_FILE=$work/read.json wrk -t1 -c2 -d3s -s "$bench_dir/redis-faults.lua" "http://127.0.0.1:$port/graphql" >/dev/null
measure normal
kill -STOP "$redis_pid"
measure frozen
kill -CONT "$redis_pid"
# After one breaker cooldown, traffic lets a probe find Redis again, so that the next phase
# starts with Redis in use and measures the detection too.
sleep 5
BENCH_BODY_FILE=$work/read.json wrk -t1 -c2 -d3s -s "$bench_dir/redis-faults.lua" "http://127.0.0.1:$port/graphql" >/dev/null
grep -q 'redis available again' "$work/server.log" || die "the breaker did not close after Redis came back"
kill "$redis_pid" && wait "$redis_pid" 2>/dev/null || true
redis_pid=''
measure down

out=$bench_dir/results/redis-faults-$(date -u +%Y-%m-%dT%H%M%SZ).txt
{
  echo "# bench/redis-faults.sh at $(cd "$repo" && git rev-parse --short HEAD) on $(nproc) cores, ${duration}s per run, $conns connections"
  cat "$results"
  echo
  echo "# the server's Redis log lines"
  grep -i redis "$work/server.log" || true
} | tee "$out"
log "written to $out"
