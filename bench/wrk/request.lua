-- One request shape per run, chosen by environment variables, and a machine-readable summary.
--   WRK_METHOD (GET|POST), WRK_BODY (JSON body for POST), WRK_APIKEY (apikey header).
-- done() prints one line: WRK requests=.. duration_us=.. p50_us=.. p99_us=.. non2xx=.. socket_errors=..
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
wrk.method = method
wrk.headers["apikey"] = os.getenv("WRK_APIKEY") or "bench-key"
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
