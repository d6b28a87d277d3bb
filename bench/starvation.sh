#!/usr/bin/env bash
# bench/starvation.sh: do expensive queries starve cheap ones? (issue 13, item 3)
#
#   bash bench/starvation.sh
#
# 32 clients (BENCH_HEAVY_CONNECTIONS connections, each request from one of 32 addresses through
# X-Forwarded-For, the server trusting 127.0.0.1 as its proxy) send bench/starvation.graphql,
# which costs 4,901 of the 5,000 budget, while one more client sends a one-product query (cost 2)
# over one connection, waiting BENCH_CHEAP_DELAY_MS (10) between a response and its next request:
# a client with think time, which stays within its own 1,000 points a second (a loop as fast as
# the server answers would spend 2,000 and be throttled itself, which is not what is measured). The script measures the cheap query's latency, and the expensive clients'
# throughput and refusals, in several server configurations (BENCH_SCENARIOS):
#
#   alone   the cheap client without the expensive ones (the baseline)
#   none    cost throttle and concurrency bound off (VITRINE_COST_BUCKET=0, VITRINE_COST_CONCURRENCY=0)
#   gate    concurrency bound only (VITRINE_COST_BUCKET=0, the bound at its default)
#   bucket  cost buckets only (VITRINE_COST_CONCURRENCY=0)
#   both    the defaults: buckets and bound; the expensive clients retry at once after a 429
#   polite  the defaults, the expensive clients wait as Retry-After says before retrying
#   edge    as both, with the request-count rate limit at its default too (600 a minute per IP,
#           refused at the edge before parsing), as production runs; the cheap client, from one
#           address, then waits 100 ms between requests to stay within that limit
#
# Each scenario starts a fresh server (production mode, Postgres with bench/large.sql in
# BENCH_DATABASE_URL, default vitrine_bench_starvation on 127.0.0.1:5432, loaded once and reused
# when it already holds the data set; request-count rate limits off, as in bench/run.sh), waits
# until the machine is quiet (bounded), warms up, then runs both loads for BENCH_DURATION
# seconds and records the CPU the server, its Postgres backends, wrk and everything else used.
# Results go to bench/results/starvation-<UTC timestamp>.txt.
#
# Knobs: BENCH_DURATION (s, 20), BENCH_WARMUP (s, 3), BENCH_HEAVY_CONNECTIONS (32), BENCH_CHEAP_DELAY_MS (10),
# BENCH_SCENARIOS ("alone none gate bucket both polite edge"), BENCH_DATABASE_URL, BENCH_QUIET_MAX (% of one
# core used by other processes, 30) and BENCH_QUIET_WAIT (s, 120). VITRINE_* variables of the
# caller reach the server (e.g. VITRINE_COST_CONCURRENCY=5000 to try another bound).
set -Eeuo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
duration=${BENCH_DURATION:-20}
warmup=${BENCH_WARMUP:-3}
heavy_conns=${BENCH_HEAVY_CONNECTIONS:-32}
scenarios=${BENCH_SCENARIOS:-alone none gate bucket both polite edge}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vitrine_bench_starvation?sslmode=disable}

log() { printf '[starvation %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for v in duration warmup heavy_conns; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
((duration >= 5 && duration <= 300 && warmup <= 60)) || die "BENCH_DURATION must be 5 to 300 s, BENCH_WARMUP at most 60 s"
for c in wrk jq curl psql python3 go timeout; do
  command -v "$c" >/dev/null 2>&1 || die "$c is required (Debian: wrk jq curl postgresql-client python3)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-starvation.XXXXXX")
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

read -r db_name admin_url < <(python3 - "$db_url" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(p.path.lstrip("/"), u.urlunsplit(p._replace(path="/postgres")))
PY
)
[[ $db_name =~ ^[A-Za-z_][A-Za-z0-9_]*bench[A-Za-z0-9_]*$ ]] || die "the database name must contain 'bench' (it may be recreated), got '$db_name'"
psql_db() { timeout 300 psql -X -q -v ON_ERROR_STOP=1 -d "$db_url" "$@"; }

log "building vitrine"
(cd "$repo" && timeout 600 go build -o "$work/vitrine" ./cmd/vitrine) || die "go build failed"
git_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ -z $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]] || git_rev="$git_rev+uncommitted changes"

loaded="SELECT (SELECT count(*) FROM products) = 10000 AND (SELECT count(*) FROM reviews) = 200000 AND (SELECT count(*) FROM ratings) = 500000"
if [[ $(psql_db -At -c "$loaded" 2>/dev/null || true) == t ]]; then
  log "$db_name holds bench/large.sql already"
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
else
  log "creating $db_name and loading bench/large.sql"
  timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" \
    -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" -c "CREATE DATABASE \"$db_name\"" || die "could not create $db_name"
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
  psql_db -f "$bench_dir/large.sql" >/dev/null || die "loading large.sql failed"
  DATABASE_URL=$db_url timeout 600 "$work/vitrine" migrate -rebuild-aggregates >/dev/null || die "rebuilding aggregates failed"
  psql_db -c "VACUUM ANALYZE" >/dev/null || die "VACUUM ANALYZE failed"
fi

# CPU accounting over a window, from /proc: 100% = one core.
cpu_snapshot() { # out-file
  python3 - "$1" <<'PY'
import json, os, sys
procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        continue
    rest = stat[stat.rindex(")") + 2:].split()
    procs[pid] = {"comm": stat[stat.index("(") + 1:stat.rindex(")")], "cmd": cmd[:200],
                  "start": rest[19], "ticks": int(rest[11]) + int(rest[12])}
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
json.dump({"uptime": float(open("/proc/uptime").read().split()[0]), "cpu": cpu, "procs": procs}, open(sys.argv[1], "w"))
PY
}
cpu_report() { # before after server-pid db-name
  python3 - "$@" "$(getconf CLK_TCK)" <<'PY'
import json, os, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
server, db, hz = sys.argv[3], sys.argv[4], int(sys.argv[5])
secs = b["uptime"] - a["uptime"]
groups = {}
for pid, p in b["procs"].items():
    q = a["procs"].get(pid)
    d = p["ticks"] - (q["ticks"] if q and q["start"] == p["start"] else 0)
    if d <= 0:
        continue
    g = ("vitrine" if pid == server else f"postgres ({db})" if p["comm"] == "postgres" and f" {db} " in p["cmd"] + " "
         else "wrk" if p["comm"] == "wrk" else "other")
    groups[g] = groups.get(g, 0) + d
d = [y - x for x, y in zip(a["cpu"], b["cpu"])]
total = sum(d[:8]) or 1
busy = 100.0 * (os.cpu_count() or 1) * (total - d[3] - d[4] - d[7]) / total
ours = sum(v for g, v in groups.items() if g != "other") * 100.0 / hz / secs
parts = [f"{g} {100.0 * v / hz / secs:.0f}%" for g, v in sorted(groups.items()) if g != "other"]
print(f"{', '.join(parts)}, other processes {max(0.0, busy - ours):.0f}%; machine busy {busy:.0f}% of {100 * (os.cpu_count() or 1)}%")
print(f"OTHER={max(0.0, busy - ours):.0f}")
PY
}
machine_busy() {
  python3 - <<'PY'
import os, time
def snap():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = snap(); time.sleep(2); t1, i1 = snap()
print(int(100 * (os.cpu_count() or 1) * ((t1 - t0) - (i1 - i0)) / max(1, t1 - t0)))
PY
}
wait_quiet() {
  local limit=${BENCH_QUIET_MAX:-30} deadline=$((SECONDS + ${BENCH_QUIET_WAIT:-120})) busy
  while :; do
    busy=$(machine_busy)
    ((busy <= limit)) && return 0
    ((SECONDS >= deadline)) && { log "warning: machine still ${busy}% busy; measuring anyway"; return 0; }
    log "machine ${busy}% busy (of one core); waiting for <= ${limit}%"
    sleep 3
  done
}

start_server() { # VAR=value...
  local secret
  secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
  (cd "$work" && exec env VITRINE_ENV=production VITRINE_ADDR=127.0.0.1:0 VITRINE_JWT_SECRET="$secret" \
    VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_RATE_LIMIT_MUTATIONS=0 \
    VITRINE_TRUSTED_PROXIES=127.0.0.1 VITRINE_SHUTDOWN_DRAIN=0 DATABASE_URL="$db_url" "$@" \
    "$work/vitrine" serve >"$work/server.log" 2>&1) &
  server_pid=$!
  addr=""
  for _ in $(seq 1 300); do
    kill -0 "$server_pid" 2>/dev/null || die "vitrine exited: $(tail -c 2000 "$work/server.log")"
    addr=$(jq -r 'select(.msg == "listening") | .addr' "$work/server.log" 2>/dev/null | head -1 || true)
    [[ -n $addr ]] && break
    sleep 0.1
  done
  [[ -n $addr ]] || die "vitrine did not start"
  base="http://$addr/graphql"
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

jq -n --rawfile q "$bench_dir/starvation.graphql" '{query: $q}' >"$work/heavy.json"
wrk_heavy() { # seconds
  BENCH_HONOR_RETRY_AFTER=$polite BENCH_BODY_FILE=$work/heavy.json BENCH_CLIENTS=32 BENCH_XFF_PREFIX=10.0.0. \
    timeout $(($1 + 60)) wrk -t1 "-c$heavy_conns" "-d$1s" --timeout 15s -s "$bench_dir/starvation.lua" "$base"
}
wrk_cheap() { # seconds
  BENCH_DELAY_MS=$cheap_delay BENCH_BODY_FILE=$work/cheap.json BENCH_CLIENTS=1 BENCH_XFF_PREFIX=10.1.0. \
    timeout $(($1 + 60)) wrk -t1 -c1 "-d$1s" --timeout 15s -s "$bench_dir/starvation.lua" "$base"
}
field() { sed -n 's/.*[ ]'"$2"'=\([^ ]*\).*/\1/p' <<<"$1"; }

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$bench_dir/results"
result="$bench_dir/results/starvation-$stamp.txt"
summary=()
raw=""
for s in $scenarios; do
  case $s in
    alone | both | polite) env_s=() ;;
    none) env_s=(VITRINE_COST_BUCKET=0 VITRINE_COST_CONCURRENCY=0) ;;
    gate) env_s=(VITRINE_COST_BUCKET=0) ;;
    bucket) env_s=(VITRINE_COST_CONCURRENCY=0) ;;
    edge) env_s=(VITRINE_RATE_LIMIT_QUERIES=600) ;;
    *) die "unknown scenario $s (alone none gate bucket both polite edge)" ;;
  esac
  cheap_delay=${BENCH_CHEAP_DELAY_MS:-10}
  [[ $s == edge ]] && cheap_delay=100
  polite=0
  [[ $s == polite ]] && polite=1
  start_server "${env_s[@]}"
  if [[ ! -f $work/cheap.json ]]; then
    id=$(curl -s --max-time 10 -H 'Content-Type: application/json' -d '{"query":"{ products(first: 1) { edges { node { id } } } }"}' "$base" |
      jq -er '.data.products.edges[0].node.id') || die "could not read a product ID"
    jq -n --arg id "$id" '{query: "query One($id: ID!) { product(id: $id) { id name price { amount currencyCode } } }", variables: {id: $id}}' >"$work/cheap.json"
  fi
  log "scenario $s (${env_s[*]:-defaults}): warm-up ${warmup}s"
  wrk_cheap "$warmup" >/dev/null
  [[ $s == alone ]] || wrk_heavy "$warmup" >/dev/null
  wait_quiet
  log "scenario $s: measuring ${duration}s"
  heavy_out=""
  if [[ $s != alone ]]; then
    wrk_heavy $((duration + 2)) >"$work/heavy.txt" 2>&1 &
    heavy_pid=$!
    sleep 1
  fi
  cpu_snapshot "$work/cpu0.json"
  cheap_out=$(wrk_cheap "$duration" 2>&1)
  cpu_snapshot "$work/cpu1.json"
  if [[ $s != alone ]]; then
    wait "$heavy_pid" || true
    heavy_out=$(cat "$work/heavy.txt")
  fi
  cpu=$(cpu_report "$work/cpu0.json" "$work/cpu1.json" "$server_pid" "$db_name")
  stop_server
  c=$(grep '^BENCH' <<<"$cheap_out" || true)
  h=$(grep '^BENCH' <<<"$heavy_out" || true)
  [[ -n $c ]] || die "no result from the cheap client: $cheap_out"
  other=$(sed -n 's/^OTHER=//p' <<<"$cpu")
  flag=""
  ((other > ${BENCH_QUIET_MAX:-30})) && flag=" [DISTURBED: other processes used ${other}% of a core]"
  line=$(printf '%-6s cheap (%3s ms apart) p50 %6s ms  p99 %7s ms  max %7s ms  %7s req/s  errors %s' "$s" "$cheap_delay" \
    "$(field "$c" p50_ms)" "$(field "$c" p99_ms)" "$(field "$c" max_ms)" "$(field "$c" rps)" \
    "$(($(field "$c" throttled) + $(field "$c" timeouts) + $(field "$c" other_errors) + $(field "$c" socket_errors)))")
  if [[ -n $h ]]; then
    line+=$(printf ' | heavy %6s ok/s, %6s 429/s, %4s timeouts, p50 %7s ms, p99 %7s ms' "$(field "$h" ok_rps)" \
      "$(python3 -c "print(f'{$(field "$h" throttled) / $(field "$h" seconds):.1f}')")" "$(field "$h" timeouts)" \
      "$(field "$h" p50_ms)" "$(field "$h" p99_ms)")
  fi
  summary+=("$line$flag" "       cpu: $(head -1 <<<"$cpu")")
  note=""
  [[ $polite == 1 ]] && note=", expensive clients honour Retry-After"
  raw+=$'\n'"== $s (${env_s[*]:-defaults})$note"$'\n'"cheap: $c"$'\n'"heavy: ${h:-(none)}"$'\n'"cpu: $(head -1 <<<"$cpu")"$'\n'
  log "$line$flag"
done

{
  echo "bench/starvation.sh $stamp, vitrine $git_rev, $(nproc) cores, Postgres $(psql_db -At -c 'SHOW server_version'), data bench/large.sql"
  echo "cheap: one product by ID (cost 2), 1 connection, waiting between requests; heavy: bench/starvation.graphql (cost 4,901), $heavy_conns connections from 32 addresses; ${duration}s each"
  printf '%s\n' "${summary[@]}"
  echo
  echo "raw:$raw"
} | tee "$result"
log "written to ${result#"$repo"/}"
