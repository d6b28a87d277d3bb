-- bench/redis-faults.lua: wrk script for bench/redis-faults.sh. POSTs the JSON body in the file
-- named by BENCH_BODY_FILE and counts, besides wrk's own numbers, the responses that are not
-- HTTP 200 and those that carry a server-side error code (INTERNAL_SERVER_ERROR, TIMEOUT),
-- printed at the end on one line starting with "BENCH ".

local path = os.getenv("BENCH_BODY_FILE")
if not path or path == "" then
  error("BENCH_BODY_FILE must name the JSON request body")
end
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  servererr = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
  if body:find("INTERNAL_SERVER_ERROR", 1, true) or body:find("\"TIMEOUT\"", 1, true) then
    servererr = servererr + 1
  end
end

function done(summary, latency, requests)
  local n, s = 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("non200")
    s = s + t:get("servererr")
  end
  io.write(string.format("BENCH requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f non200=%d server_errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    n, s, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
