#!/usr/bin/env bash
# bench/run.sh: Vitrine vs. raw SQL on the canonical products_nested query, in one command.
#
#   bash bench/run.sh
#
# 1. (Re)creates the benchmark database (default vitrine_bench on 127.0.0.1:5432), runs
#    `vitrine migrate` and loads bench/large.sql (skipped with BENCH_REUSE=1 when the database
#    already holds exactly that data set).
# 2. Builds vitrine into a temporary directory and serves it in production mode on a free
#    loopback port; checks with bench/verify.sh that GraphQL and bench/products_nested.sql
#    return the same data.
# 3. wrk + bench/products_nested.lua: warm-up, then the measured run, sampling the server's
#    RSS from /proc every 100 ms and the CPU time of every process (vitrine, its Postgres
#    backends, wrk, anything else on the machine).
# 4. Stops the server; pgbench runs bench/products_nested.sql the same way (warm-up, measured
#    run with a per-transaction log for percentiles).
# 5. Prints a summary and writes it, with the raw tool outputs, to
#    bench/results/products_nested-<UTC timestamp>.txt.
#
# Knobs (environment): BENCH_DURATION (s, default 20), BENCH_WARMUP (s, 5), BENCH_CONNECTIONS
# (16), BENCH_THREADS (2), BENCH_REUSE=1, BENCH_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/vitrine_bench?sslmode=disable; its database is dropped
# and recreated, so its name must contain "bench" unless BENCH_ALLOW_DROP=1),
# BENCH_SKIP_VERIFY=1, BENCH_GATE=1 (leave the cost gate, VITRINE_COST_CONCURRENCY, at its
# production default: it queues expensive operations beyond a total cost, refusing none),
# BENCH_PROFILE=1 (a CPU profile of the measured run and an allocs profile,
# from the pprof listener the server opens on a free loopback port with VITRINE_PPROF_ADDR;
# BENCH_PPROF_URL names a base URL instead, such as http://127.0.0.1:6060), BENCH_QUIET_MAX (30)
# and BENCH_QUIET_WAIT (120): before each measured run, wait up to that many seconds until the
# machine is at most that busy (% of one core), and flag runs other processes disturbed.
# Every VITRINE_* variable of the caller (e.g. VITRINE_DB_MAX_OPEN_CONNS) reaches the server;
# the script sets VITRINE_ENV, VITRINE_ADDR, VITRINE_JWT_SECRET, DATABASE_URL and turns the
# rate limits and the cost throttle off (VITRINE_RATE_LIMIT_QUERIES=0,
# VITRINE_RATE_LIMIT_MUTATIONS=0, VITRINE_COST_BUCKET=0, VITRINE_COST_CONCURRENCY=0: every request
# comes from one loopback address, and the measure is the work, not a guard's refusals) itself.
set -Eeuo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)

duration=${BENCH_DURATION:-20}
warmup=${BENCH_WARMUP:-5}
conns=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
reuse=${BENCH_REUSE:-0}
profile=${BENCH_PROFILE:-0}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vitrine_bench?sslmode=disable}

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in duration warmup conns threads; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_${v^^} must be a positive integer, got '${!v}'"
done
((threads <= conns)) || die "BENCH_THREADS ($threads) must not exceed BENCH_CONNECTIONS ($conns)"
((duration >= 10 && duration <= 600 && warmup <= 120)) || die "BENCH_DURATION must be 10 to 600 s and BENCH_WARMUP at most 120 s"

# ---------------------------------------------------------------------------------------------
# Tools. wrk and jq are installed with apt-get when missing (as root only).
need_pkg() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "$1 is missing; install the Debian package $2"
  fi
  log "installing $2 with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -qq "$2" >/dev/null 2>&1 ||
    { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq "$2" >/dev/null; } ||
    die "could not install $2"
}
need_pkg wrk wrk
need_pkg jq jq
need_pkg curl curl
need_pkg python3 python3
for c in go psql pgbench timeout; do
  command -v "$c" >/dev/null 2>&1 || die "$c is required (PostgreSQL client tools, Go 1.26, coreutils)"
done

# ---------------------------------------------------------------------------------------------
# Temporary files and cleanup: only the processes this script started are stopped.
work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-bench.XXXXXX")
server_pid=""
bg_pids=()
cleanup() {
  local rc=$?
  for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "ERROR: line $LINENO failed (status $?): $BASH_COMMAND"' ERR

# ---------------------------------------------------------------------------------------------
# Database: name and a maintenance URL (same server, database "postgres").
read -r db_name admin_url db_host < <(python3 - "$db_url" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(p.path.lstrip("/") or "-", u.urlunsplit(p._replace(path="/postgres")), p.hostname or "-")
PY
)
[[ $db_name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "unsupported database name '$db_name' in BENCH_DATABASE_URL"
[[ $db_name == *bench* || ${BENCH_ALLOW_DROP:-0} == 1 ]] ||
  die "refusing to drop and recreate database '$db_name': its name lacks 'bench' (set BENCH_ALLOW_DROP=1)"
case $db_host in 127.* | localhost | ::1 | /*) ;; *) log "warning: database host $db_host is not loopback" ;; esac
psql_db() { timeout 300 psql -X -q -v ON_ERROR_STOP=1 -d "$db_url" "$@"; }

# ---------------------------------------------------------------------------------------------
log "building vitrine ($repo)"
(cd "$repo" && timeout 600 go build -o "$work/vitrine" ./cmd/vitrine) || die "go build failed"
git_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  git_rev="$git_rev+uncommitted changes"
fi

expected="t"
loaded_query="SELECT (SELECT count(*) FROM categories) = 100 AND (SELECT count(*) FROM products) = 10000
  AND (SELECT count(*) FROM users) = 1000 AND (SELECT count(*) FROM reviews) = 200000
  AND (SELECT count(*) FROM ratings) = 500000"
load_note=""
if [[ $reuse == 1 ]] && [[ $(psql_db -At -c "$loaded_query" 2>/dev/null || true) == "$expected" ]]; then
  log "BENCH_REUSE=1: $db_name already holds the large data set; not reloading"
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
  load_note="reused (BENCH_REUSE=1)"
else
  log "recreating database $db_name"
  timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" \
    -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" -c "CREATE DATABASE \"$db_name\"" ||
    die "could not recreate $db_name"
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
  log "loading bench/large.sql"
  t0=$(date +%s.%N)
  psql_db -f "$bench_dir/large.sql" >/dev/null || die "loading large.sql failed"
  # The load ran without triggers: rebuild what they keep, then refresh the statistics.
  DATABASE_URL=$db_url timeout 600 "$work/vitrine" migrate -rebuild-aggregates >/dev/null ||
    die "vitrine migrate -rebuild-aggregates failed"
  psql_db -c "VACUUM ANALYZE" >/dev/null || die "VACUUM ANALYZE failed"
  t1=$(date +%s.%N)
  load_note=$(python3 -c "import sys; print(f'loaded in {float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$t0" "$t1")
  log "large.sql $load_note"
  [[ $(psql_db -At -c "$loaded_query") == "$expected" ]] || die "large.sql did not load the expected rows"
fi
pg_version=$(psql_db -At -c "SHOW server_version")

# ---------------------------------------------------------------------------------------------
# Helpers: CPU accounting from /proc and the server's RSS.
clk_tck=$(getconf CLK_TCK)
cpu_window() { # out-prefix seconds start-epoch: one python process takes two /proc snapshots,
  # 2 s after the start and 3 s before the end of a run, so that the load generator and its
  # connections are alive in both (started before the run so its start-up cost is not in the way)
  python3 - "$@" <<'PY'
import json, os, sys, time
prefix, seconds, start = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
def snapshot(path):
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2:].split()
        procs[pid] = {"comm": comm, "cmd": cmd[:200], "start": rest[19],
                      "ticks": int(rest[11]) + int(rest[12])}
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    with open(path, "w") as f:
        json.dump({"uptime": up, "cpu": cpu, "procs": procs}, f)
time.sleep(max(0.0, start + 2 - time.time()))
snapshot(prefix + "-0.json")
time.sleep(max(0.0, start + seconds - 3 - time.time()))
snapshot(prefix + "-1.json")
PY
}
cpu_report() { # before after server-pid-or-empty db-name clk-tck: one line, 100% = one core
  python3 - "$@" <<'PY'
import json, os, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
server, db, hz = sys.argv[3], sys.argv[4], int(sys.argv[5])
secs = b["uptime"] - a["uptime"]
pct = lambda ticks: 100.0 * ticks / hz / secs
groups, others = {}, {}
for pid, p in b["procs"].items():
    q = a["procs"].get(pid)
    d = p["ticks"] - (q["ticks"] if q and q["start"] == p["start"] else 0)
    if d <= 0:
        continue
    if pid == server:
        g = "vitrine"
    elif p["comm"] == "postgres" and f" {db} " in p["cmd"] + " ":
        g = f"postgres ({db} backends)"
    elif p["comm"] in ("wrk", "pgbench"):
        g = p["comm"]
    else:
        others[p["comm"]] = others.get(p["comm"], 0) + d
        continue
    groups[g] = groups.get(g, 0) + d
# /proc/stat: user nice system idle iowait irq softirq steal ...
d = [y - x for x, y in zip(a["cpu"], b["cpu"])]
total = sum(d[:8]) or 1
ncpu = os.cpu_count() or 1
share = lambda ticks: 100.0 * ncpu * ticks / total
busy = share(total - d[3] - d[4] - d[7])
irq, steal = share(d[5] + d[6]), share(d[7])
# Everything else (other processes, including short-lived ones that came and went between the
# snapshots) is the machine's busy time minus the attributed time and interrupt handling.
other = max(0.0, busy - irq - sum(pct(v) for v in groups.values()))
parts = [f"{g} {pct(v):.0f}%" for g, v in sorted(groups.items(), key=lambda kv: -kv[1])]
parts.append(f"kernel irq/softirq {irq:.0f}%")
hint = ", ".join(f"{n} {pct(v):.0f}%" for n, v in sorted(others.items(), key=lambda kv: -kv[1])[:3])
parts.append(f"other processes {other:.0f}%" + (f" (e.g. {hint})" if hint else ""))
gen = [p["comm"] for p in b["procs"].values() if p["comm"] in ("wrk", "pgbench")]
warn = "" if gen else " [WARNING: the load generator had exited before the second snapshot; attribution is wrong]"
print(f"{', '.join(parts)}; machine busy {busy:.0f}% of {100 * ncpu}%, steal {steal:.0f}%, over {secs:.1f} s{warn}")
print(f"OTHER={other:.0f}")
print(f"SERVER={pct(groups.get('vitrine', 0)):.1f}")
print(f"DB={pct(groups.get(f'postgres ({db} backends)', 0)):.1f}")
PY
}
machine_busy() { # seconds: busy percent of one core over that many seconds
  python3 - "$1" <<'PY'
import os, sys, time
def snap():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]
t0, i0 = snap(); time.sleep(float(sys.argv[1])); t1, i1 = snap()
print(int(100 * (os.cpu_count() or 1) * ((t1 - t0) - (i1 - i0)) / max(1, t1 - t0)))
PY
}
wait_quiet() { # what: wait (bounded) until the machine is idle enough to measure
  local limit=${BENCH_QUIET_MAX:-30} deadline=$((SECONDS + ${BENCH_QUIET_WAIT:-120})) busy
  while :; do
    busy=$(machine_busy 2)
    ((busy <= limit)) && return 0
    if ((SECONDS >= deadline)); then
      log "warning: the machine is still ${busy}% busy (of one core) before $1; measuring anyway"
      return 0
    fi
    log "machine ${busy}% busy (other processes) before $1; waiting for <= ${limit}%"
    sleep 3
  done
}
sample_rss() { # pid out-file: peak VmRSS (kB) and sample count, every 100 ms while pid lives
  exec python3 - "$1" "$2" <<'PY'
import os, sys, time
pid, out = sys.argv[1], sys.argv[2]
peak = samples = 0
while True:
    kb = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    kb = int(line.split()[1])
                    break
    except OSError:
        break
    if kb is None:
        break
    peak, samples = max(peak, kb), samples + 1
    with open(out + ".tmp", "w") as f:
        f.write(f"{peak} {samples}\n")
    os.replace(out + ".tmp", out)  # atomic: a reader never sees a half-written file
    time.sleep(0.1)
PY
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
blocks() { psql_db -At -c "SELECT blks_hit || ' ' || blks_read FROM pg_stat_database WHERE datname = current_database()"; }
hit_ratio() { # "hit read" before, "hit read" after: the bench database's shared-buffer hit ratio
  python3 - "$1" "$2" <<'PY'
import sys
h0, r0 = map(int, sys.argv[1].split()); h1, r1 = map(int, sys.argv[2].split())
h, r = h1 - h0, r1 - r0
print(f"{100.0 * h / (h + r):.2f}% shared-buffer hits ({r} blocks read from the OS)" if h + r else "no block access recorded")
PY
}
top_snapshot() { # delay out-file
  sleep "$1"
  { uptime; top -b -n 1 -w 160 | sed -n '1,5p;7,22p'; } >"$2" 2>&1 || true
}

# ---------------------------------------------------------------------------------------------
log "starting vitrine serve (production mode, loopback, free port)"
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
pprof_env=()
if [[ $profile == 1 && -z ${BENCH_PPROF_URL:-} && -z ${VITRINE_PPROF_ADDR:-} ]]; then
  pprof_env=(VITRINE_PPROF_ADDR=127.0.0.1:0)
fi
# The cost gate queues expensive operations (it refuses none); off by default so that runs
# compare with earlier ones, at its production default with BENCH_GATE=1.
gate_env=(VITRINE_COST_CONCURRENCY=0)
if [[ ${BENCH_GATE:-0} == 1 ]]; then
  gate_env=()
fi
(cd "$work" && exec env VITRINE_ENV=production VITRINE_ADDR=127.0.0.1:0 VITRINE_JWT_SECRET="$secret" \
  VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_RATE_LIMIT_MUTATIONS=0 VITRINE_COST_BUCKET=0 "${gate_env[@]}" DATABASE_URL="$db_url" "${pprof_env[@]}" "$work/vitrine" serve >"$work/server.log" 2>"$work/server.err") &
server_pid=$!
addr=""
for _ in $(seq 1 600); do
  kill -0 "$server_pid" 2>/dev/null || die "vitrine exited: $(tail -c 2000 "$work/server.err" "$work/server.log")"
  addr=$(jq -r 'select(.msg == "listening") | .addr' "$work/server.log" 2>/dev/null | head -1 || true)
  [[ -n $addr ]] && break
  sleep 0.1
done
[[ -n $addr ]] || die "vitrine did not log its listening address within 60 s"
base="http://$addr"
for _ in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true) == 200 ]] && break
  sleep 0.1
done
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true) == 200 ]] ||
  die "vitrine is not ready at $base/readyz"
log "vitrine pid $server_pid listening on $addr"

if [[ ${BENCH_SKIP_VERIFY:-0} == 1 ]]; then
  verify_line="skipped (BENCH_SKIP_VERIFY=1)"
else
  verify_line=$(bash "$bench_dir/verify.sh" "$base/graphql" "$db_url") || die "verification failed: see above"
  log "$verify_line"
fi

jq -n --rawfile q "$bench_dir/products_nested.graphql" \
  '{query: $q, operationName: "products_nested", variables: {first: 50}}' >"$work/body.json"
export BENCH_BODY_FILE="$work/body.json"
wrk_cmd=(wrk "-t$threads" "-c$conns" --latency --timeout 10s -s "$bench_dir/products_nested.lua")

log "wrk warm-up ${warmup}s"
blocks_v0=$(blocks)
timeout $((warmup + 60)) "${wrk_cmd[@]}" "-d${warmup}s" "$base/graphql" >"$work/wrk-warmup.txt" 2>&1 ||
  die "wrk warm-up failed: $(cat "$work/wrk-warmup.txt")"

pprof_addr=$(jq -r 'select(.msg == "pprof listening") | .addr' "$work/server.log" 2>/dev/null | head -1 || true)
if [[ -n ${BENCH_PPROF_URL:-} ]]; then
  pprof_base=$BENCH_PPROF_URL
elif [[ -n $pprof_addr ]]; then
  pprof_base="http://$pprof_addr"
else
  pprof_base=$base
fi
pprof_note="not requested (BENCH_PROFILE=1 to try)"
pprof_pid=""
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$bench_dir/results"
mkdir -p "$results_dir"
result_file="$results_dir/products_nested-$stamp.txt"
if [[ $profile == 1 ]]; then
  if curl -s --max-time 5 "$pprof_base/debug/pprof/" 2>/dev/null | grep -q 'Types of profiles'; then
    psecs=$((duration > 17 ? 15 : duration - 2))
    ((psecs >= 1)) || psecs=1
    (sleep 1; curl -s --max-time $((psecs + 30)) -o "$results_dir/products_nested-$stamp.cpu.pprof" \
      "$pprof_base/debug/pprof/profile?seconds=$psecs") &
    pprof_pid=$!
    bg_pids+=("$pprof_pid")
    pprof_note="cpu: results/products_nested-$stamp.cpu.pprof (${psecs}s of the measured run, whose numbers include the profiler's overhead), allocs: results/products_nested-$stamp.allocs.pprof; read with go tool pprof -top"
  else
    pprof_note="no pprof at $pprof_base/debug/pprof/ (this vitrine has no VITRINE_PPROF_ADDR?); skipped"
    log "BENCH_PROFILE=1: $pprof_note"
  fi
fi

wait_quiet "the Vitrine run"
log "wrk ${duration}s: -t$threads -c$conns"
echo "0 0" >"$work/rss-peak"
sample_rss "$server_pid" "$work/rss-peak" &
sampler_pid=$!
bg_pids+=("$sampler_pid")
top_snapshot $((duration / 2)) "$work/top-vitrine.txt" &
bg_pids+=("$!")
cpu_window "$work/cpu-v" "$duration" "$(date +%s.%N)" &
cpu_pid=$!
bg_pids+=("$cpu_pid")
timeout $((duration + 60)) "${wrk_cmd[@]}" "-d${duration}s" "$base/graphql" >"$work/wrk.txt" 2>&1 ||
  die "wrk failed: $(cat "$work/wrk.txt")"
wait "$cpu_pid" || true
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
if [[ $profile == 1 && $pprof_note == cpu:* ]]; then
  wait "$pprof_pid" 2>/dev/null || true
  curl -s --max-time 30 -o "$results_dir/products_nested-$stamp.allocs.pprof" "$pprof_base/debug/pprof/allocs" || true
fi
vitrine_cpu=$(cpu_report "$work/cpu-v-0.json" "$work/cpu-v-1.json" "$server_pid" "$db_name" "$clk_tck")
vitrine_other=$(sed -n 's/^OTHER=//p' <<<"$vitrine_cpu")
vitrine_server_pct=$(sed -n 's/^SERVER=//p' <<<"$vitrine_cpu")
vitrine_db_pct=$(sed -n 's/^DB=//p' <<<"$vitrine_cpu")
vitrine_cpu=$(sed '/^[A-Z]*=/d' <<<"$vitrine_cpu")
rss_peak_kb=0 rss_samples=0
read -r rss_peak_kb rss_samples <"$work/rss-peak" || true
hwm_kb=$(status_kb "$server_pid" VmHWM)
rss_end_kb=$(status_kb "$server_pid" VmRSS)

log "stopping vitrine"
kill -TERM "$server_pid"
for _ in $(seq 1 250); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && { kill -KILL "$server_pid" 2>/dev/null || true; }
wait "$server_pid" 2>/dev/null || true
server_pid=""
sleep 0.5 # the pool's backends flush their statistics as they exit
blocks_v1=$(blocks)

bench_line=$(grep '^BENCH ' "$work/wrk.txt" || die "no BENCH line from wrk: $(cat "$work/wrk.txt")")
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $bench_line"; }
v_rps=$(field rps)
v_p50=$(field p50_ms)
v_p99=$(field p99_ms)
v_err=$(field errors)
v_reqs=$(field requests)
v_body=$(field avg_body_bytes)
# Access log cross-check. Requests still in flight when wrk stops at the end of each run are
# cancelled by the client; the server logs them with "context canceled" resolver errors (or
# "canceling statement due to user request" when lib/pq cancelled a running query). Any other
# error is a real one.
read -r acc_total acc_non200 acc_cancelled < <(jq -rs '[.[] | select(.msg == "request" and .operation == "products_nested")] |
  "\(length) \([.[] | select(.status != 200)] | length) \([.[] | select((.errors // 0) > 0)] | length)"' \
  "$work/server.log")
cancelled_filter='((.err // "") | test("context canceled|canceling statement due to user request"))'
acc_real=$(jq -s "[.[] | select(.level == \"ERROR\" and ($cancelled_filter | not))] | length" "$work/server.log")

# ---------------------------------------------------------------------------------------------
pg_cmd=(pgbench -n -M prepared "-c$conns" "-j$threads" -f "$bench_dir/products_nested.sql")
log "pgbench warm-up ${warmup}s"
timeout $((warmup + 60)) "${pg_cmd[@]}" "-T$warmup" "$db_url" >"$work/pgbench-warmup.txt" 2>&1 ||
  die "pgbench warm-up failed: $(tail -5 "$work/pgbench-warmup.txt")"
wait_quiet "the SQL run"
log "pgbench ${duration}s: -c$conns -j$threads -M prepared"
mkdir -p "$work/pglog"
top_snapshot $((duration / 2)) "$work/top-sql.txt" &
bg_pids+=("$!")
blocks_s0=$(blocks)
cpu_window "$work/cpu-s" "$duration" "$(date +%s.%N)" &
cpu_pid=$!
bg_pids+=("$cpu_pid")
pg_rc=0
timeout $((duration + 60)) "${pg_cmd[@]}" "-T$duration" --log --log-prefix="$work/pglog/tx" "$db_url" \
  >"$work/pgbench.txt" 2>&1 || pg_rc=$?
wait "$cpu_pid" || true
sleep 0.5
blocks_s1=$(blocks)
((pg_rc == 0)) || log "warning: pgbench exited with status $pg_rc (aborted clients count as errors)"
sql_cpu=$(cpu_report "$work/cpu-s-0.json" "$work/cpu-s-1.json" "" "$db_name" "$clk_tck")
sql_other=$(sed -n 's/^OTHER=//p' <<<"$sql_cpu")
sql_db_pct=$(sed -n 's/^DB=//p' <<<"$sql_cpu")
sql_cpu=$(sed '/^[A-Z]*=/d' <<<"$sql_cpu")
s_tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$work/pgbench.txt")
[[ -n $s_tps ]] || die "could not read tps from pgbench: $(tail -5 "$work/pgbench.txt")"
s_failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.txt")
s_failed=${s_failed:-0}
s_aborted=$(grep -c 'aborted' "$work/pgbench.txt" || true)
s_err=$((s_failed + (pg_rc == 0 ? 0 : (s_aborted > 0 ? s_aborted : 1))))
read -r s_n s_p50 s_p99 < <(cat "$work/pglog"/tx.* | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n |
  awk '{ v[NR] = $1 } END {
    if (NR == 0) { print 0, "nan", "nan"; exit }
    i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
    printf "%d %.2f %.2f\n", NR, v[i50] / 1000, v[i99] / 1000 }')

# ---------------------------------------------------------------------------------------------
ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$v_rps" "$s_tps")
# CPU time per request: a process's share of one core over the measured window, divided by the
# requests served in it (the CPU window is the measured run).
per_req() { python3 -c "import sys; print(f'{float(sys.argv[1]) * 10 / max(float(sys.argv[2]), 1e-9):.2f}')" "$1" "$2"; }
v_server_ms=$(per_req "$vitrine_server_pct" "$v_rps")
v_db_ms=$(per_req "$vitrine_db_pct" "$v_rps")
s_db_ms=$(per_req "$sql_db_pct" "$s_tps")
verdict() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo met; else echo "NOT met"; fi; }
rss_mb=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$rss_peak_kb")
hwm_mb=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$hwm_kb")
rss_end_mb=$(python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$rss_end_kb")
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if ((vitrine_other > 15 || sql_other > 15)); then
  contention="WARNING: other processes used ${vitrine_other}% / ${sql_other}% of a core during the Vitrine / SQL runs; the numbers are disturbed, re-run on a quiet machine"
else
  contention="machine quiet: other processes used ${vitrine_other}% / ${sql_other}% of a core during the Vitrine / SQL runs"
fi

summary=$(
  cat <<EOF
products_nested: Vitrine vs raw SQL, $when
machine: nproc=$(nproc), $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)
versions: $(go version | awk '{ print $3 }'), PostgreSQL $pg_version, vitrine $git_rev
load: wrk -t$threads -c$conns / pgbench -c$conns -j$threads -M prepared, ${duration}s measured after ${warmup}s warm-up; cost gate $([[ ${BENCH_GATE:-0} == 1 ]] && echo "at its default (BENCH_GATE=1)" || echo off)
data: bench/large.sql ($load_note): 100 categories, 10,000 products, 1,000 users, 200,000 reviews, 500,000 ratings
check: $verify_line

                        requests/s    p50 ms    p99 ms   errors   server peak RSS MB
  Vitrine (HTTP)     $(printf '%13.1f %9.1f %9.1f %8d %20s' "$v_rps" "$v_p50" "$v_p99" "$v_err" "$rss_mb")
  raw SQL (pgbench)  $(printf '%13.1f %9.1f %9.1f %8d %20s' "$s_tps" "$s_p50" "$s_p99" "$s_err" "n/a")

  throughput Vitrine / SQL: $ratio

targets: Vitrine >= 0.5 x SQL throughput: $(verdict "$ratio >= 0.5") ($ratio); server CPU <= 6 ms/request: $(verdict "$v_server_ms <= 6") ($v_server_ms ms); p99 < 100 ms: $(verdict "$v_p99 < 100") ($v_p99 ms); RSS < 150 MB: $(verdict "$rss_mb < 150") ($rss_mb MB); zero errors: $(verdict "$v_err + $acc_real + $s_err == 0") (wrk $v_err, server log $acc_real, pgbench $s_err)

CPU per request: Vitrine run: server $v_server_ms ms, Postgres $v_db_ms ms; SQL run: Postgres $s_db_ms ms per transaction
CPU during the Vitrine run (100% = one core): $vitrine_cpu
CPU during the SQL run (100% = one core): $sql_cpu
$contention
Vitrine detail: $v_reqs requests, avg response $v_body bytes; RSS peak $rss_mb MB ($rss_samples samples, every 100 ms during the measured run), VmHWM $hwm_mb MB (whole life), $rss_end_mb MB at the end; server log: $acc_total products_nested requests (warm-up included), $acc_non200 non-200, $acc_real server errors other than the $acc_cancelled requests cancelled by wrk at the end of its runs
SQL detail: $s_n transactions logged; pgbench exit status $pg_rc
Postgres buffers: Vitrine warm-up + run $(hit_ratio "$blocks_v0" "$blocks_v1"); SQL run $(hit_ratio "$blocks_s0" "$blocks_s1")
profiles: $pprof_note
EOF
)

{
  echo "$summary"
  echo
  echo "=== wrk (measured) ==="; cat "$work/wrk.txt"
  echo; echo "=== pgbench (measured) ==="; cat "$work/pgbench.txt"
  echo; echo "=== top, middle of the Vitrine run ==="; cat "$work/top-vitrine.txt" 2>/dev/null || true
  echo; echo "=== top, middle of the SQL run ==="; cat "$work/top-sql.txt" 2>/dev/null || true
  # Errors first: a run's slow-operation warnings are many and would hide them.
  echo; echo "=== server log: errors, except client cancellations (first 20) ==="
  jq -c "select(.level == \"ERROR\" and ($cancelled_filter | not))" "$work/server.log" 2>/dev/null | head -20 || true
  echo; echo "=== server log: warnings (first 20 of $(jq -c 'select(.level == "WARN")' "$work/server.log" 2>/dev/null | wc -l)) ==="
  jq -c 'select(.level == "WARN")' "$work/server.log" 2>/dev/null | head -20 || true
  echo "($(jq -c "select(.level != \"INFO\" and $cancelled_filter)" "$work/server.log" 2>/dev/null | wc -l) log lines about requests cancelled by the client left out)"
  tail -c 2000 "$work/server.err" 2>/dev/null || true
} >"$result_file"

echo
echo "$summary"
echo
log "written to ${result_file#"$repo"/}"
