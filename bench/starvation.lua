-- bench/starvation.lua: wrk script for bench/starvation.sh. POSTs the JSON body in the file
-- named by BENCH_BODY_FILE. With BENCH_CLIENTS=N, request k carries X-Forwarded-For
-- BENCH_XFF_PREFIX..(k mod N + 1), so that a server trusting 127.0.0.1 as a proxy sees N
-- clients (each with its own cost bucket). With BENCH_HONOR_RETRY_AFTER=1 every 429 delays one
-- later request of the thread by its Retry-After, as a polite client waits before retrying
-- (wrk measures latency from when a request is sent, so the wait is not in it). With
-- BENCH_DELAY_MS=d each connection waits d ms between a response and its next request (a
-- client with think time rather than a loop as fast as the server answers). Prints one "BENCH ..." line: rate, latency
-- percentiles (all responses), and counts of 200s without errors, 429s, TIMEOUT errors and
-- other failures.

local path = os.getenv("BENCH_BODY_FILE")
if not path or path == "" then
  error("BENCH_BODY_FILE must name the JSON request body")
end
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()
local clients = tonumber(os.getenv("BENCH_CLIENTS") or "1")
local prefix = os.getenv("BENCH_XFF_PREFIX") or "10.0.0."
local polite = os.getenv("BENCH_HONOR_RETRY_AFTER") == "1"
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n, ok, throttled, timeouts, other = 0, 0, 0, 0, 0
  waits = {}
end

if polite or pause > 0 then
  function delay()
    return table.remove(waits, 1) or pause
  end
end

function request()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = prefix .. ((n % clients) + 1)
  return wrk.format()
end

function response(status, headers, resp)
  if status == 429 then
    throttled = throttled + 1
    if polite then
      table.insert(waits, 1000 * (tonumber(headers["Retry-After"]) or 1))
    end
  elseif status ~= 200 then
    other = other + 1
  elseif resp:find('"TIMEOUT"', 1, true) then
    timeouts = timeouts + 1
  elseif resp:find('"errors"', 1, true) then
    other = other + 1
  else
    ok = ok + 1
  end
end

function done(summary, latency, requests)
  local c = { ok = 0, throttled = 0, timeouts = 0, other = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do
      c[k] = c[k] + t:get(k)
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rps=%.2f ok=%d ok_rps=%.2f throttled=%d timeouts=%d other_errors=%d socket_errors=%d " ..
    "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, seconds, summary.requests / seconds, c.ok, c.ok / seconds, c.throttled, c.timeouts, c.other,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
