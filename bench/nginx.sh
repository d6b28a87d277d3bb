#!/usr/bin/env bash
# bench/nginx.sh: one vs two Vitrine processes behind nginx on loopback, with the canonical
# products_nested query (bench/products_nested.graphql) and wrk.
#
#   BENCH_REUSE=1 bash bench/nginx.sh
#
# The database is the one bench/run.sh uses (default vitrine_bench on 127.0.0.1:5432): reused
# when BENCH_REUSE=1 and it holds the large data set, otherwise (re)created and loaded from
# bench/large.sql. nginx is Debian's package (installed with apt-get when missing, as root) run
# with deploy/nginx.conf, only the upstream servers, listen port, pid and log paths changed.
# Runs, each a warm-up then a measured wrk run: one process direct (no nginx), nginx → one
# process, nginx → two processes, at BENCH_CONNECTIONS (default "16 64") connections. CPU time
# per process group is read from /proc during each measured run. The summary is printed and
# written to bench/results/nginx-<UTC timestamp>.txt.
#
# Knobs: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS ("16 64"),
# BENCH_THREADS (2), BENCH_REUSE=1, BENCH_DATABASE_URL.
set -Eeuo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
conn_list=${BENCH_CONNECTIONS:-16 64}
threads=${BENCH_THREADS:-2}
db_url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vitrine_bench?sslmode=disable}

log() { printf '[nginx-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for c in wrk jq curl python3 psql go; do command -v "$c" >/dev/null || die "$c is required (bench/run.sh installs wrk and jq)"; done
nginx_bin=$(command -v nginx || true)
if [[ -z $nginx_bin ]]; then
	[[ $(id -u) == 0 ]] || die "nginx is missing; install Debian's nginx package"
	log "installing Debian's nginx (not started as a service)"
	policy=/usr/sbin/policy-rc.d
	[[ -e $policy ]] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; trap 'rm -f "$policy"' EXIT; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
	rm -f "$policy"
	nginx_bin=$(command -v nginx)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-nginx-bench.XXXXXX")
pids=()
nginx_pid=""
cleanup() {
	local rc=$?
	[[ -n $nginx_pid ]] && kill -QUIT "$nginx_pid" 2>/dev/null || true
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf -- "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db_name=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).path.lstrip("/"))' "$db_url")
admin_url=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/postgres")))' "$db_url")
[[ $db_name == *bench* ]] || die "the database name must contain 'bench' (it may be dropped)"

log "building vitrine"
(cd "$repo" && go build -o "$work/vitrine" ./cmd/vitrine) || die "go build failed"
loaded="SELECT (SELECT count(*) FROM products) = 10000 AND (SELECT count(*) FROM reviews) = 200000"
if [[ ${BENCH_REUSE:-0} == 1 && $(psql -X -At -d "$db_url" -c "$loaded" 2>/dev/null || true) == t ]]; then
	log "BENCH_REUSE=1: $db_name holds the large data set"
	DATABASE_URL=$db_url "$work/vitrine" migrate >/dev/null
else
	log "recreating $db_name and loading bench/large.sql"
	psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" -c "CREATE DATABASE \"$db_name\""
	DATABASE_URL=$db_url "$work/vitrine" migrate >/dev/null
	psql -X -q -v ON_ERROR_STOP=1 -d "$db_url" -f "$bench_dir/large.sql" >/dev/null
	# The load ran without triggers: rebuild what they keep, then refresh the statistics.
	DATABASE_URL=$db_url "$work/vitrine" migrate -rebuild-aggregates >/dev/null
	psql -X -q -d "$db_url" -c "VACUUM ANALYZE"
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
ports=()
for i in 1 2; do
	port=$(free_port)
	env VITRINE_ENV=production VITRINE_ADDR=127.0.0.1:$port VITRINE_JWT_SECRET="$secret" \
		VITRINE_SHUTDOWN_DRAIN=0 VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_RATE_LIMIT_MUTATIONS=0 VITRINE_COST_BUCKET=0 VITRINE_COST_CONCURRENCY=0 DATABASE_URL="$db_url" "$work/vitrine" serve >"$work/vitrine-$i.log" 2>&1 &
	pids+=($!)
	ports+=("$port")
done
for port in "${ports[@]}"; do
	for _ in $(seq 1 300); do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true) == 200 ]] && break
		sleep 0.1
	done
	[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz") == 200 ]] || die "vitrine on $port is not ready"
done
log "vitrine pids ${pids[*]} on ports ${ports[*]}"

# nginx with deploy/nginx.conf; upstreams.conf is swapped between runs and nginx reloaded.
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
python3 - "$repo/deploy/nginx.conf" "$work/nginx/nginx.conf" "$nginx_port" "$work/nginx/upstreams.conf" <<'PY'
import re, sys
src, dst, port, ups = sys.argv[1:]
conf = open(src).read()
conf, n = re.subn(r"(\n\s*server vitrine-\d+:8080[^\n]*)+", f"\n        include {ups};", conf, count=1)
assert n == 1, "upstream servers not found in deploy/nginx.conf"
conf = conf.replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
conf = conf.replace("/var/log/nginx/access.log", "logs/access.log")
open(dst, "w").write(conf)
PY
upstreams() { # port...
	: >"$work/nginx/upstreams.conf"
	for p in "$@"; do echo "server 127.0.0.1:$p max_fails=3 fail_timeout=10s;" >>"$work/nginx/upstreams.conf"; done
}
nginx_run() { "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g "pid $work/nginx/nginx.pid; error_log $work/nginx/logs/error.log;" "$@"; }
upstreams "${ports[0]}"
nginx_run -t -q || die "nginx -t failed"
nginx_run
for _ in $(seq 1 50); do [[ -s $work/nginx/nginx.pid ]] && break; sleep 0.1; done
nginx_pid=$(cat "$work/nginx/nginx.pid")
log "nginx $("$nginx_bin" -v 2>&1 | sed 's/.*: //') pid $nginx_pid on 127.0.0.1:$nginx_port"

jq -n --rawfile q "$bench_dir/products_nested.graphql" \
	'{query: $q, operationName: "products_nested", variables: {first: 50}}' >"$work/body.json"
export BENCH_BODY_FILE="$work/body.json"

# cpu_groups SECONDS: CPU per process group over the next SECONDS, 100% = one core.
cpu_groups() {
	python3 - "$1" "$db_name" "$nginx_pid" "${pids[@]}" <<'PY'
import os, sys, time
secs, db, nginx, vitrines = float(sys.argv[1]), sys.argv[2], sys.argv[3], set(sys.argv[4:])
hz = os.sysconf("SC_CLK_TCK")
def snap():
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2:].split()
        ppid, ticks = rest[1], int(rest[11]) + int(rest[12])
        if pid in vitrines:
            g = "vitrine"
        elif comm == "nginx" and (pid == nginx or ppid == nginx):
            g = "nginx"
        elif comm == "postgres" and f" {db} " in cmd + " ":
            g = "postgres"
        elif comm == "wrk":
            g = "wrk"
        else:
            g = "other"
        out[pid] = (g, ticks, rest[19])
    total = sum(int(x) for x in open("/proc/stat").readline().split()[1:9])
    return out, total
a, ta = snap(); time.sleep(secs); b, tb = snap()
groups = {}
for pid, (g, t, start) in b.items():
    prev = a.get(pid)
    d = t - (prev[1] if prev and prev[2] == start else 0)
    groups[g] = groups.get(g, 0) + max(d, 0)
share = lambda d: 100.0 * d / hz / secs
print(", ".join(f"{g} {share(groups.get(g, 0)):.0f}%" for g in ("vitrine", "nginx", "postgres", "wrk", "other")))
PY
}

results=()
measure() { # label url conns
	local label=$1 url=$2 c=$3 wrk_cmd
	wrk_cmd=(wrk "-t$threads" "-c$c" --latency --timeout 10s -s "$bench_dir/products_nested.lua")
	"${wrk_cmd[@]}" "-d${warmup}s" "$url" >/dev/null 2>&1 || die "wrk warm-up failed"
	"${wrk_cmd[@]}" "-d${duration}s" "$url" >"$work/wrk.txt" 2>&1 &
	local wrk_pid=$!
	sleep 1
	local cpu
	cpu=$(cpu_groups $((duration - 2)))
	wait "$wrk_pid" || die "wrk failed: $(cat "$work/wrk.txt")"
	local line
	line=$(grep '^BENCH ' "$work/wrk.txt") || die "no BENCH line: $(cat "$work/wrk.txt")"
	local rps p50 p99 errs
	rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")
	p50=$(sed -E 's/.* p50_ms=([0-9.]+).*/\1/' <<<"$line")
	p99=$(sed -E 's/.* p99_ms=([0-9.]+).*/\1/' <<<"$line")
	errs=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$line")
	results+=("$(printf '| %-24s | %4d | %8s | %8s | %8s | %6s | %s |' "$label" "$c" "$rps" "$p50" "$p99" "$errs" "$cpu")")
	log "${results[-1]}"
}

for c in $conn_list; do
	measure "direct, 1 process" "http://127.0.0.1:${ports[0]}/graphql" "$c"
	upstreams "${ports[0]}" && nginx_run -s reload && sleep 1
	measure "nginx -> 1 process" "http://127.0.0.1:$nginx_port/graphql" "$c"
	upstreams "${ports[@]}" && nginx_run -s reload && sleep 1
	measure "nginx -> 2 processes" "http://127.0.0.1:$nginx_port/graphql" "$c"
done

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out="$bench_dir/results/nginx-$stamp.txt"
mkdir -p "$bench_dir/results"
{
	echo "bench/nginx.sh $stamp, git $(git -C "$repo" rev-parse --short HEAD), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
	echo "wrk -t$threads, warm-up ${warmup}s, measured ${duration}s; products_nested (first: 50); database $db_name; $("$nginx_bin" -v 2>&1 | sed 's/.*: //')"
	echo "vitrine runtime: GOMEMLIMIT=${GOMEMLIMIT:-(serve's default)} GOGC=${GOGC:-(serve's default)}"
	echo "CPU is per process group during the measured run, 100% = one core; 'other' is everything else on the (shared) machine."
	echo
	echo "| setup                    | conn |    req/s |  p50 ms  |  p99 ms  | errors | CPU |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${results[@]}"
} | tee "$out"
log "written to $out"
