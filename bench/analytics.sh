#!/usr/bin/env bash
# bench/analytics.sh: the analytics scale benchmark, in one command.
#
#   bash bench/analytics.sh
#
# Target (project requirement): with 1M ratings, 300k reviews and 20k products in Postgres on
# the 2-core machine, each analytics query has p50 < 100 ms and p99 < 250 ms at concurrency 8.
#
# 1. (Re)creates the database (default vitrine_analytics on 127.0.0.1:5432), runs `vitrine
#    migrate` and loads bench/analytics-data.sql (skipped with ANALYTICS_REUSE=1 when the
#    database already holds exactly that data set).
# 2. Builds vitrine into a temporary directory. Capture pass: serves it with
#    log_min_duration_statement = 0 on the database, sends each query shape once and keeps the
#    SQL statements the server ran (from the Postgres log), with their parameters.
# 3. Measured pass: production mode, VITRINE_ANALYTICS_CACHE_TTL=0 (every request reaches
#    Postgres) and log_min_duration_statement = ANALYTICS_SLOW_MS (50) on the database. For
#    each shape: wait until the machine is quiet (no wrk or pgbench running, 1-minute load
#    average below ANALYTICS_QUIET_LOAD; polled every 10 s, at most ANALYTICS_QUIET_MAX_WAIT
#    seconds), wrk warm-up, then the measured wrk run (-t2 -c8 --latency), with the statements
#    slower than ANALYTICS_SLOW_MS collected from the Postgres log.
# 4. Cache pass (ANALYTICS_CACHE_PASS=1, the default): the same with the default 5 s cache.
# 5. EXPLAIN (ANALYZE, BUFFERS) of every statement of every shape, on the quiet machine.
# 6. Prints a summary and writes it, with the details, to bench/results/analytics-<UTC>.txt.
#
# Knobs (environment): ANALYTICS_DURATION (s, 20), ANALYTICS_WARMUP (s, 5),
# ANALYTICS_CONNECTIONS (8), ANALYTICS_THREADS (2), ANALYTICS_REUSE=1, ANALYTICS_CACHE_PASS
# (1; 0 skips the cached pass), ANALYTICS_SHAPES (comma-separated subset of the shape names),
# ANALYTICS_SLOW_MS (50), ANALYTICS_QUIET_LOAD (1.0), ANALYTICS_QUIET_MAX_WAIT (s, 900),
# ANALYTICS_QUIET_TOTAL_WAIT (s, 5400: once the waits add up to this, later ones are skipped
# and noted), ANALYTICS_PG_LOG (the server's log file; default: found under
# /var/log/postgresql, statement capture is skipped when unreadable), ANALYTICS_CATEGORY_ID
# (the category of the *_category shapes; default: the top-level category with most ratings),
# ANALYTICS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/vitrine_analytics?
# sslmode=disable; the database is dropped and recreated, so its name must contain
# "analytics" unless ANALYTICS_ALLOW_DROP=1). Every VITRINE_* variable of the caller reaches
# the server; the script sets VITRINE_ENV, VITRINE_ADDR, VITRINE_JWT_SECRET,
# VITRINE_ANALYTICS_CACHE_TTL, DATABASE_URL and VITRINE_RATE_LIMIT_QUERIES=0 (every request comes
# from one loopback address) itself.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)

duration=${ANALYTICS_DURATION:-20}
warmup=${ANALYTICS_WARMUP:-5}
conns=${ANALYTICS_CONNECTIONS:-8}
threads=${ANALYTICS_THREADS:-2}
reuse=${ANALYTICS_REUSE:-0}
cache_pass=${ANALYTICS_CACHE_PASS:-1}
slow_ms=${ANALYTICS_SLOW_MS:-50}
quiet_load=${ANALYTICS_QUIET_LOAD:-1.0}
quiet_max=${ANALYTICS_QUIET_MAX_WAIT:-900}
quiet_total_max=${ANALYTICS_QUIET_TOTAL_WAIT:-5400}
db_url=${ANALYTICS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/vitrine_analytics?sslmode=disable}

log() { printf '[analytics %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in duration warmup conns threads slow_ms quiet_max quiet_total_max; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "${v} must be a non-negative integer, got '${!v}'"
done
((duration >= 1 && warmup >= 1 && conns >= 1 && threads >= 1)) || die "durations, connections and threads must be positive"
((threads <= conns)) || die "ANALYTICS_THREADS ($threads) must not exceed ANALYTICS_CONNECTIONS ($conns)"
((duration <= 600 && warmup <= 120 && quiet_max <= 3600)) ||
  die "ANALYTICS_DURATION is capped at 600 s, ANALYTICS_WARMUP at 120 s, ANALYTICS_QUIET_MAX_WAIT at 3600 s"
[[ $quiet_load =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "ANALYTICS_QUIET_LOAD must be a number, got '$quiet_load'"

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
need_pkg pgrep procps
for c in go psql timeout; do
  command -v "$c" >/dev/null 2>&1 || die "$c is required (PostgreSQL client tools, Go 1.26, coreutils)"
done

# ---------------------------------------------------------------------------------------------
# Temporary files and cleanup: only the server this script started is stopped, and the
# database's logging setting is reset.
work=$(mktemp -d "${TMPDIR:-/tmp}/vitrine-analytics.XXXXXX")
server_pid=""
log_setting_changed=0
admin_url=""
db_name=""
cleanup() {
  local rc=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if ((log_setting_changed)); then
    timeout 30 psql -X -q -d "$admin_url" \
      -c "ALTER DATABASE \"$db_name\" RESET log_min_duration_statement" >/dev/null 2>&1 || true
  fi
  wait 2>/dev/null || true
  rm -rf -- "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Quiet machine: no wrk or pgbench (ours never runs while we wait) and a low load average.
quiet_note=""
quiet_total=0
wait_quiet() {
  local waited=0 load busy
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    busy=$( { pgrep -x wrk; pgrep -x pgbench; } 2>/dev/null | paste -sd, - || true)
    if [[ -z $busy ]] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)' "$load" "$quiet_load"; then
      quiet_note="quiet: load $load after ${waited}s"
      return 0
    fi
    if ((waited >= quiet_max || quiet_total >= quiet_total_max)); then
      quiet_note="NOT QUIET after ${waited}s (load $load${busy:+, wrk/pgbench pids $busy})"
      log "warning: $quiet_note; measuring anyway"
      return 0
    fi
    ((waited == 0)) && log "waiting for a quiet machine (load $load${busy:+, wrk/pgbench pids $busy})"
    sleep 10
    waited=$((waited + 10))
    quiet_total=$((quiet_total + 10))
  done
}

# ---------------------------------------------------------------------------------------------
# Database: name and a maintenance URL (same server, database "postgres").
read -r db_name admin_url db_host < <(python3 - "$db_url" <<'PY'
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1])
print(p.path.lstrip("/") or "-", u.urlunsplit(p._replace(path="/postgres")), p.hostname or "-")
PY
)
[[ $db_name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "unsupported database name '$db_name' in ANALYTICS_DATABASE_URL"
[[ $db_name == *analytics* || ${ANALYTICS_ALLOW_DROP:-0} == 1 ]] ||
  die "refusing to drop and recreate database '$db_name': its name lacks 'analytics' (set ANALYTICS_ALLOW_DROP=1)"
case $db_host in 127.* | localhost | ::1 | /*) ;; *) log "warning: database host $db_host is not loopback" ;; esac
psql_db() { timeout 600 psql -X -q -v ON_ERROR_STOP=1 -d "$db_url" "$@"; }
psql_admin() { timeout 120 psql -X -q -v ON_ERROR_STOP=1 -d "$admin_url" "$@"; }

log "building vitrine ($repo)"
(cd "$repo" && timeout 600 go build -o "$work/vitrine" ./cmd/vitrine) || die "go build failed"
git_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  git_rev="$git_rev+uncommitted changes"
fi

loaded_query="SELECT (SELECT count(*) FROM categories) = 120 AND (SELECT count(*) FROM products) = 20000
  AND (SELECT count(*) FROM users) = 5000 AND (SELECT count(*) FROM reviews) = 300000
  AND (SELECT count(*) FROM ratings) = 1000000"
if [[ $reuse == 1 ]] && [[ $(psql_db -At -c "$loaded_query" 2>/dev/null || true) == t ]]; then
  log "ANALYTICS_REUSE=1: $db_name already holds the analytics data set; not reloading"
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
  load_note="reused (ANALYTICS_REUSE=1)"
else
  wait_quiet
  load_quiet=$quiet_note
  log "recreating database $db_name [$load_quiet]"
  psql_admin -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" -c "CREATE DATABASE \"$db_name\"" ||
    die "could not recreate $db_name"
  t0=$(date +%s.%N)
  DATABASE_URL=$db_url timeout 120 "$work/vitrine" migrate >/dev/null || die "vitrine migrate failed"
  t1=$(date +%s.%N)
  log "loading bench/analytics-data.sql"
  psql_db -f "$bench_dir/analytics-data.sql" >/dev/null || die "loading analytics-data.sql failed"
  t2=$(date +%s.%N)
  log "rebuilding counters and rollups (the load ran without triggers)"
  DATABASE_URL=$db_url timeout 600 "$work/vitrine" migrate -rebuild-aggregates >/dev/null || die "vitrine migrate -rebuild-aggregates failed"
  psql_db -c "VACUUM ANALYZE" || die "VACUUM ANALYZE failed"
  t3=$(date +%s.%N)
  load_note=$(python3 -c 'import sys; a, b, c, d = map(float, sys.argv[1:]); print(f"migrate {b - a:.1f} s, load + VACUUM ANALYZE {c - b:.1f} s, rebuild aggregates + VACUUM ANALYZE {d - c:.1f} s")' "$t0" "$t1" "$t2" "$t3")
  load_note="$load_note; $load_quiet before the load"
  log "$load_note"
  [[ $(psql_db -At -c "$loaded_query") == t ]] || die "analytics-data.sql did not load the expected rows"
fi
pg_version=$(psql_db -At -c "SHOW server_version")
data_age_h=$(psql_db -At -c "SELECT round(extract(epoch FROM now() - max(created_at)) / 3600) FROM ratings")
if ((data_age_h > 24)); then
  log "warning: the data was generated ${data_age_h} h ago; the recent windows (30 and 90 days) hold fewer rows than at load time"
fi
pg_settings=$(psql_db -At -F= -c "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN
  ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers_per_gather', 'jit',
   'random_page_cost') ORDER BY name" | paste -sd' ' -)

# ---------------------------------------------------------------------------------------------
# The Postgres log, where log_min_duration_statement writes. Debian's clusters log to
# /var/log/postgresql/postgresql-<major>-<cluster>.log (stderr, logging_collector off).
pg_log=${ANALYTICS_PG_LOG:-}
if [[ -z $pg_log ]]; then
  collector_log=$(psql_db -At -c "SELECT CASE WHEN current_setting('logging_collector') = 'on'
    THEN current_setting('data_directory') || '/' || pg_current_logfile() END" 2>/dev/null || true)
  major=$(psql_db -At -c "SELECT current_setting('server_version_num')::int / 10000")
  if [[ -n $collector_log && -r $collector_log ]]; then
    pg_log=$collector_log
  else
    for f in /var/log/postgresql/postgresql-"$major"-main.log /var/log/postgresql/postgresql-"$major"-*.log; do
      if [[ -r $f ]]; then pg_log=$f; break; fi
    done
  fi
fi
prefix=$(psql_db -At -c "SHOW log_line_prefix")
if [[ -n $pg_log && -r $pg_log && $prefix == *%d* ]]; then
  log "Postgres log: $pg_log"
  capture=1
else
  log "warning: no readable Postgres log with the database in log_line_prefix ('$prefix'); statements are not captured"
  capture=0
  pg_log=""
fi
log_size() { stat -c %s "$pg_log"; }
set_slow_log() { # milliseconds; applies to the sessions opened afterwards
  ((capture)) || return 0
  log_setting_changed=1
  psql_admin -c "ALTER DATABASE \"$db_name\" SET log_min_duration_statement = $1" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# The server.
secret=$(head -c 36 /dev/urandom | base64 | tr -d '\n') # 48 characters
[[ ${#secret} == 48 ]] || die "could not make a 48-character JWT secret"
base=""
start_server() { # cache-ttl log-file
  local ttl=$1 out=$2 addr=""
  (cd "$work" && VITRINE_ENV=production VITRINE_ADDR=127.0.0.1:0 VITRINE_JWT_SECRET=$secret \
    VITRINE_ANALYTICS_CACHE_TTL=$ttl VITRINE_RATE_LIMIT_QUERIES=0 VITRINE_RATE_LIMIT_MUTATIONS=0 VITRINE_COST_BUCKET=0 VITRINE_COST_CONCURRENCY=0 DATABASE_URL=$db_url exec "$work/vitrine" serve >"$out" 2>"$out.err") &
  server_pid=$!
  for _ in $(seq 1 600); do
    kill -0 "$server_pid" 2>/dev/null || die "vitrine exited: $(tail -c 2000 "$out.err" "$out")"
    addr=$(jq -r 'select(.msg == "listening") | .addr' "$out" 2>/dev/null | head -1 || true)
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
  log "vitrine pid $server_pid on $addr (VITRINE_ANALYTICS_CACHE_TTL=$ttl)"
}
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 250); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$server_pid" 2>/dev/null && { kill -KILL "$server_pid" 2>/dev/null || true; }
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
gql() { # body-file → response on stdout
  curl -sS --max-time 60 -H 'Content-Type: application/json' --data-binary "@$1" "$base/graphql"
}

# ---------------------------------------------------------------------------------------------
# Query shapes. Times are fixed once per run (RFC 3339, UTC).
read -r t_now t_30d t_90d t_1y t_18m < <(python3 - <<'PY'
import datetime as d
now = d.datetime.now(d.timezone.utc).replace(microsecond=0)
def months_ago(t, n):
    y, m = divmod(t.year * 12 + t.month - 1 - n, 12)
    return t.replace(year=y, month=m + 1, day=min(t.day, 28))
f = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
print(f(now), f(now - d.timedelta(days=30)), f(now - d.timedelta(days=90)), f(months_ago(now, 12)), f(months_ago(now, 18)))
PY
)

all_shapes=(rs_all rs_category rs_30d rtrend_month_paris rtrend_day_category_ny vtrend_week top_all top_category category_stats)
declare -A shape_desc shape_query shape_vars
shape_desc=(
  [rs_all]='ratingStats, no filter (1M ratings)'
  [rs_category]='ratingStats(filter: {categoryID: <top-level>})'
  [rs_30d]='ratingStats(filter: {from: now-30d, to: now})'
  [rtrend_month_paris]='ratingTrend(MONTH, 18 months, "Europe/Paris")'
  [rtrend_day_category_ny]='ratingTrend(DAY, <top-level>, 90 days, "America/New_York")'
  [vtrend_week]='reviewTrend(WEEK, 1 year, UTC)'
  [top_all]='topRatedProducts(first: 10, minRatings: 5)'
  [top_category]='topRatedProducts(first: 10, minRatings: 5, categoryID: <top-level>)'
  [category_stats]='categoryStats (top level)'
)
# shellcheck disable=SC2016 # $name is a GraphQL variable, not a shell one
shape_query=(
  [rs_all]='query rs_all { ratingStats { count average distribution } }'
  [rs_category]='query rs_category($category: ID!) { ratingStats(filter: {categoryID: $category}) { count average distribution } }'
  [rs_30d]='query rs_30d($from: Time!, $to: Time!) { ratingStats(filter: {from: $from, to: $to}) { count average distribution } }'
  [rtrend_month_paris]='query rtrend_month_paris($from: Time!, $to: Time!) { ratingTrend(bucket: MONTH, filter: {from: $from, to: $to}, timeZone: "Europe/Paris") { start count average } }'
  [rtrend_day_category_ny]='query rtrend_day_category_ny($category: ID!, $from: Time!, $to: Time!) { ratingTrend(bucket: DAY, filter: {categoryID: $category, from: $from, to: $to}, timeZone: "America/New_York") { start count average } }'
  [vtrend_week]='query vtrend_week($from: Time!, $to: Time!) { reviewTrend(bucket: WEEK, filter: {from: $from, to: $to}) { start count } }'
  [top_all]='query top_all { topRatedProducts(first: 10, minRatings: 5) { product { id name } count average score } }'
  [top_category]='query top_category($category: ID!) { topRatedProducts(first: 10, minRatings: 5, categoryID: $category) { product { id name } count average score } }'
  [category_stats]='query category_stats { categoryStats { category { id name } productCount ratingCount averageRating reviewCount } }'
)

shapes=()
if [[ -n ${ANALYTICS_SHAPES:-} ]]; then
  IFS=, read -r -a wanted <<<"$ANALYTICS_SHAPES"
  for s in "${wanted[@]}"; do
    [[ -n ${shape_query[$s]+x} ]] || die "unknown shape '$s' in ANALYTICS_SHAPES (known: ${all_shapes[*]})"
    shapes+=("$s")
  done
else
  shapes=("${all_shapes[@]}")
fi

# ---------------------------------------------------------------------------------------------
# Capture pass: every statement of every shape, with log_min_duration_statement = 0, and the
# latency of a request alone (best of 3, sequential, after the first request of the process).
set_slow_log 0
start_server 0 "$work/server-capture.log"
wait_quiet
capture_note=$quiet_note

# The category of the *_category shapes: by default the top-level category with most ratings.
jq -n '{query: "{ categoryStats { category { id name } ratingCount productCount } }"}' >"$work/cats.json"
gql "$work/cats.json" >"$work/cats.out" || die "categoryStats request failed"
category_id=${ANALYTICS_CATEGORY_ID:-$(jq -r '.data.categoryStats | max_by(.ratingCount) | .category.id' "$work/cats.out")}
category_line=$(jq -r --arg id "$category_id" '.data.categoryStats[] | select(.category.id == $id) |
  "\(.category.name) (id \(.category.id)): \(.productCount) products, \(.ratingCount) ratings in its subtree"' "$work/cats.out")
[[ -n $category_id && $category_id != null && -n $category_line ]] ||
  die "could not pick a top-level category: $(head -c 500 "$work/cats.out")"
log "category for the *_category shapes: $category_line"

for s in "${all_shapes[@]}"; do
  case $s in
    rs_all | top_all | category_stats) shape_vars[$s]='{}' ;;
    rs_category | top_category) shape_vars[$s]=$(jq -cn --arg c "$category_id" '{category: $c}') ;;
    rs_30d) shape_vars[$s]=$(jq -cn --arg f "$t_30d" --arg t "$t_now" '{from: $f, to: $t}') ;;
    rtrend_month_paris) shape_vars[$s]=$(jq -cn --arg f "$t_18m" --arg t "$t_now" '{from: $f, to: $t}') ;;
    rtrend_day_category_ny) shape_vars[$s]=$(jq -cn --arg c "$category_id" --arg f "$t_90d" --arg t "$t_now" '{category: $c, from: $f, to: $t}') ;;
    vtrend_week) shape_vars[$s]=$(jq -cn --arg f "$t_1y" --arg t "$t_now" '{from: $f, to: $t}') ;;
  esac
  jq -n --arg q "${shape_query[$s]}" --arg op "$s" --argjson v "${shape_vars[$s]}" \
    '{query: $q, operationName: $op, variables: $v}' >"$work/body-$s.json"
done

# One request per shape: check the answer and keep the statements.
sql_count() { psql_db -At -c "$1"; }
subtree="WITH RECURSIVE t(id) AS (SELECT id FROM categories WHERE id = (SELECT id FROM categories
  WHERE parent_id IS NULL AND name = '$(jq -r --arg id "$category_id" '.data.categoryStats[] | select(.category.id == $id) | .category.name' "$work/cats.out")')
  UNION SELECT c.id FROM categories c JOIN t ON c.parent_id = t.id)"
declare -A check_line alone_ms
for s in "${shapes[@]}"; do
  off0=0
  ((capture)) && off0=$(log_size)
  out=$(gql "$work/body-$s.json") || die "$s: request failed"
  best=""
  for _ in 1 2 3; do
    t=$(curl -sS -o /dev/null -w '%{time_total}' --max-time 60 -H 'Content-Type: application/json' \
      --data-binary "@$work/body-$s.json" "$base/graphql") || die "$s: request failed"
    best=$(python3 -c 'import sys; v = [float(x) for x in sys.argv[1:] if x]; print(f"{min(v) * 1000:.1f}")' "$t" "$best")
  done
  alone_ms[$s]=$best
  sleep 0.3
  if ((capture)); then
    python3 "$bench_dir/analytics-pglog.py" slow "$pg_log" "$off0" "$(log_size)" "$db_name" >"$work/capture-$s.json"
  fi
  jq -e 'has("errors") | not' >/dev/null <<<"$out" || die "$s: GraphQL errors: $(head -c 1000 <<<"$out")"
  case $s in
    rs_all)
      got=$(jq -r '.data.ratingStats.count' <<<"$out")
      want=$(sql_count "SELECT count(*) FROM ratings")
      check_line[$s]="count $got (SQL $want), average $(jq -r '.data.ratingStats.average' <<<"$out")" ;;
    rs_category)
      got=$(jq -r '.data.ratingStats.count' <<<"$out")
      want=$(sql_count "$subtree SELECT count(*) FROM ratings r JOIN products p ON p.id = r.product_id WHERE p.category_id IN (SELECT id FROM t)")
      check_line[$s]="count $got (SQL $want)" ;;
    rs_30d)
      got=$(jq -r '.data.ratingStats.count' <<<"$out")
      want=$(sql_count "SELECT count(*) FROM ratings WHERE updated_at >= '$t_30d' AND updated_at < '$t_now'")
      check_line[$s]="count $got (SQL $want)" ;;
    rtrend_month_paris | rtrend_day_category_ny)
      check_line[$s]=$(jq -r '.data.ratingTrend | "\(length) buckets, \(map(.count) | add) ratings"' <<<"$out") ;;
    vtrend_week)
      got=$(jq -r '.data.reviewTrend | map(.count) | add' <<<"$out")
      want=$(sql_count "SELECT count(*) FROM reviews WHERE created_at >= '$t_1y' AND created_at < '$t_now'")
      check_line[$s]="$(jq -r '.data.reviewTrend | length' <<<"$out") buckets, $got reviews (SQL $want)" ;;
    top_all | top_category)
      check_line[$s]=$(jq -r '.data.topRatedProducts | "\(length) products, first: \(.[0].product.name) score \(.[0].score) (\(.[0].count) ratings)"' <<<"$out") ;;
    category_stats)
      check_line[$s]=$(jq -r '.data.categoryStats | "\(length) categories, \(map(.ratingCount) | add) ratings, \(map(.reviewCount) | add) reviews, \(map(.productCount) | add) products"' <<<"$out") ;;
  esac
  case $s in rs_all | rs_category | rs_30d | vtrend_week)
    [[ $got == "$want" ]] || die "$s: the API says $got, SQL says $want" ;;
  esac
  log "$s: ${check_line[$s]}; alone ${alone_ms[$s]} ms"
done
stop_server

# ---------------------------------------------------------------------------------------------
# Measured passes.
wrk_cmd=(wrk "-t$threads" "-c$conns" --latency --timeout 10s -s "$bench_dir/analytics.lua")
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
server_side() { # server-log first-line last-line operation → "p50 p99 n non200 errors" (ms)
  python3 - "$@" <<'PY'
import json, sys
path, a, b, op = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
d, non200, errs = [], 0, 0
with open(path) as f:
    for i, line in enumerate(f):
        if i < a or i >= b:
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("msg") != "request" or r.get("operation") != op:
            continue
        d.append(r.get("duration", 0) / 1e6)
        non200 += r.get("status") != 200
        errs += (r.get("errors") or 0) > 0
d.sort()
pct = lambda p: d[min(len(d) - 1, max(0, int(len(d) * p + 0.999999) - 1))] if d else float("nan")
print(f"{pct(0.5):.1f} {pct(0.99):.1f} {len(d)} {non200} {errs}")
PY
}
declare -A res
run_pass() { # label cache-ttl
  local label=$1 ttl=$2 s bench_line off0 off1 l0 l1
  if [[ $label == nocache ]]; then set_slow_log "$slow_ms"; fi
  start_server "$ttl" "$work/server-$label.log"
  for s in "${shapes[@]}"; do
    export ANALYTICS_BODY_FILE="$work/body-$s.json"
    wait_quiet
    res[$label,$s,quiet]=$quiet_note
    log "$label/$s: warm-up ${warmup}s, then ${duration}s (-t$threads -c$conns) [$quiet_note]"
    timeout $((warmup + 60)) "${wrk_cmd[@]}" "-d${warmup}s" "$base/graphql" >"$work/wrk-$label-$s-warmup.txt" 2>&1 ||
      die "$s: wrk warm-up failed: $(cat "$work/wrk-$label-$s-warmup.txt")"
    off0=0
    ((capture)) && off0=$(log_size)
    l0=$(wc -l <"$work/server-$label.log")
    timeout $((duration + 60)) "${wrk_cmd[@]}" "-d${duration}s" "$base/graphql" >"$work/wrk-$label-$s.txt" 2>&1 ||
      die "$s: wrk failed: $(cat "$work/wrk-$label-$s.txt")"
    sleep 0.5
    l1=$(wc -l <"$work/server-$label.log")
    if ((capture)); then
      off1=$(log_size)
      python3 "$bench_dir/analytics-pglog.py" slow "$pg_log" "$off0" "$off1" "$db_name" >"$work/slow-$label-$s.json"
      res[$label,$s,slow]=$(jq '[.[] | select(.kind == "execute" or .kind == "statement")] | length' "$work/slow-$label-$s.json")
    else
      res[$label,$s,slow]="n/a"
    fi
    bench_line=$(grep '^BENCH ' "$work/wrk-$label-$s.txt") || die "$s: no BENCH line from wrk: $(cat "$work/wrk-$label-$s.txt")"
    for k in rps p50_ms p90_ms p99_ms max_ms requests errors non200 graphql_errors socket_errors; do
      res[$label,$s,$k]=$(field "$bench_line" "$k")
    done
    res[$label,$s,server]=$(server_side "$work/server-$label.log" "$l0" "$l1" "$s")
    log "$label/$s: p50 ${res[$label,$s,p50_ms]} ms, p99 ${res[$label,$s,p99_ms]} ms, ${res[$label,$s,rps]} req/s, ${res[$label,$s,errors]} errors, ${res[$label,$s,slow]} statements > ${slow_ms} ms"
  done
  stop_server
}

run_pass nocache 0
if [[ $cache_pass == 1 ]]; then
  run_pass cache 5s # log_min_duration_statement stays at ANALYTICS_SLOW_MS: it logs the misses
fi
if ((capture)); then
  psql_admin -c "ALTER DATABASE \"$db_name\" RESET log_min_duration_statement" >/dev/null
  log_setting_changed=0
fi

# ---------------------------------------------------------------------------------------------
# EXPLAIN (ANALYZE, BUFFERS) of each shape's statements, one at a time on a quiet machine.
explain_note="not captured (no readable Postgres log)"
if ((capture)); then
  wait_quiet
  explain_note=$quiet_note
  log "EXPLAIN (ANALYZE, BUFFERS) of every statement [$quiet_note]"
  for s in "${shapes[@]}"; do
    python3 "$bench_dir/analytics-pglog.py" explain "$work/capture-$s.json" "$db_url" >"$work/explain-$s.txt" 2>&1 ||
      echo "(explain failed)" >>"$work/explain-$s.txt"
  done
fi

# ---------------------------------------------------------------------------------------------
verdict() { # p50 p99 requests
  if python3 -c 'import sys; sys.exit(0 if int(sys.argv[3]) > 0 and float(sys.argv[1]) < 100 and float(sys.argv[2]) < 250 else 1)' "$1" "$2" "$3"; then
    echo met
  else
    echo MISSED
  fi
}
table() { # label
  local label=$1 s
  printf '  %-24s %8s %8s %8s %8s %8s %8s %6s  %-7s %15s %9s\n' shape "alone ms" "p50 ms" "p90 ms" "p99 ms" \
    "max ms" "req/s" errors target "server p50/p99" "SQL>${slow_ms}ms"
  for s in "${shapes[@]}"; do
    read -r sp50 sp99 _ _ _ <<<"${res[$label,$s,server]}"
    printf '  %-24s %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %6d  %-7s %15s %9s\n' "$s" "${alone_ms[$s]}" \
      "${res[$label,$s,p50_ms]}" "${res[$label,$s,p90_ms]}" "${res[$label,$s,p99_ms]}" "${res[$label,$s,max_ms]}" \
      "${res[$label,$s,rps]}" "${res[$label,$s,errors]}" \
      "$(verdict "${res[$label,$s,p50_ms]}" "${res[$label,$s,p99_ms]}" "${res[$label,$s,requests]}")" \
      "$sp50/$sp99" "${res[$label,$s,slow]}"
  done
  echo "  (alone: best of 3 sequential requests without cache, before the load; p50..max, req/s: wrk; server p50/p99:"
  echo "  the server's access log; SQL>${slow_ms}ms: statements over ${slow_ms} ms in the Postgres log during the run)"
}
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
results_dir="$bench_dir/results"
mkdir -p "$results_dir"
result_file="$results_dir/analytics-$stamp.txt"

summary=$(
  echo "analytics scale benchmark, $when"
  echo "machine: nproc=$(nproc), $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
  echo "versions: $(go version | awk '{ print $3 }'), PostgreSQL $pg_version ($pg_settings), vitrine $git_rev"
  echo "data: bench/analytics-data.sql ($load_note; generated ${data_age_h} h before the run): 120 categories, 20,000 products, 5,000 users, 300,000 reviews, 1,000,000 ratings"
  echo "load: wrk -t$threads -c$conns --latency --timeout 10s, ${duration}s measured after ${warmup}s warm-up, per shape; now = $t_now"
  echo "category of the *_category shapes: $category_line"
  echo "target: p50 < 100 ms and p99 < 250 ms at concurrency $conns; errors = non-200 + GraphQL errors + socket errors"
  echo
  echo "without cache (VITRINE_ANALYTICS_CACHE_TTL=0; every request queries Postgres):"
  table nocache
  if [[ $cache_pass == 1 ]]; then
    echo
    echo "with the default cache (VITRINE_ANALYTICS_CACHE_TTL=5s):"
    table cache
  fi
  echo
  echo "shapes:"
  for s in "${shapes[@]}"; do
    printf '  %-24s %s\n' "$s" "${shape_desc[$s]}; ${check_line[$s]}"
  done
  echo
  echo "machine quiet before each measurement (no wrk/pgbench, 1-min load < $quiet_load):"
  echo "  capture pass (alone ms): $capture_note"
  for s in "${shapes[@]}"; do
    printf '  %-24s nocache: %s%s\n' "$s" "${res[nocache,$s,quiet]}" \
      "$([[ $cache_pass == 1 ]] && echo "; cache: ${res[cache,$s,quiet]}")"
  done
  echo "  EXPLAIN pass: $explain_note"
)

{
  echo "$summary"
  if ((capture)); then
    echo
    echo "=== statements slower than ${slow_ms} ms during the measured runs without cache (Postgres log) ==="
    for s in "${shapes[@]}"; do
      echo "  $s (${res[nocache,$s,requests]} requests):"
      python3 "$bench_dir/analytics-pglog.py" summary "$work/slow-nocache-$s.json"
    done
    echo
    echo "=== every statement of each shape (capture pass, one request) with EXPLAIN (ANALYZE, BUFFERS) on the quiet machine ==="
    for s in "${shapes[@]}"; do
      echo
      echo "## $s: ${shape_desc[$s]}"
      cat "$work/explain-$s.txt"
    done
  fi
  echo
  echo "=== raw wrk outputs ==="
  for label in nocache cache; do
    [[ $label == cache && $cache_pass != 1 ]] && continue
    for s in "${shapes[@]}"; do
      echo "--- $label/$s"
      cat "$work/wrk-$label-$s.txt"
    done
  done
} >"$result_file"

echo "$summary"
log "results: ${result_file#"$repo"/}"
