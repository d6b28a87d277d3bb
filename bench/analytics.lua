-- bench/analytics.lua: wrk script of the analytics benchmark (bench/analytics.sh). It POSTs one
-- GraphQL request body, read from the file named by ANALYTICS_BODY_FILE, on every request:
--
--   ANALYTICS_BODY_FILE=/tmp/body.json wrk -t2 -c8 -d20s --latency -s bench/analytics.lua http://127.0.0.1:PORT/graphql
--
-- Every response is checked: a status other than 200, or a body containing "errors" (a
-- GraphQL error), counts as an error. At the end one machine-readable line starting with
-- "BENCH " is printed for analytics.sh.

local path = os.getenv("ANALYTICS_BODY_FILE")
if not path or path == "" then
  error("ANALYTICS_BODY_FILE must name the JSON request body")
end
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

-- setup and done run in the main Lua state; init and response in each thread's own state.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  responses, non200, gqlerrors, bytes = 0, 0, 0, 0
end

function response(status, headers, resp)
  responses = responses + 1
  bytes = bytes + #resp
  if status ~= 200 then
    non200 = non200 + 1
  elseif resp:find('"errors"', 1, true) then
    gqlerrors = gqlerrors + 1
  end
end

function done(summary, latency, requests)
  local n, bad, gql, total_bytes = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("responses")
    bad = bad + t:get("non200")
    gql = gql + t:get("gqlerrors")
    total_bytes = total_bytes + t:get("bytes")
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.2f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "mean_ms=%.2f checked=%d non200=%d graphql_errors=%d socket_errors=%d errors=%d avg_body_bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    n, bad, gql, socket, bad + gql + socket, n > 0 and math.floor(total_bytes / n) or 0))
end
