-- wrk script for scripts/bench: one fixed request, repeated on keep-alive connections.
-- Everything comes from the environment so one script serves every row:
--   CK_METHOD (default POST), CK_PATH, CK_HOST (the Host header: the server routes by it),
--   CK_BODY_FILE (request body), CK_CONTENT_TYPE, CK_BEARER (token, no "Bearer " prefix).
-- done() prints one line "CKJSON {...}" with the counts and latency percentiles (microseconds).
local function readfile(path)
  if path == nil or path == "" then return nil end
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = os.getenv("CK_METHOD") or "POST"
wrk.path = os.getenv("CK_PATH") or wrk.path
wrk.body = readfile(os.getenv("CK_BODY_FILE"))
wrk.headers["Host"] = os.getenv("CK_HOST")
if wrk.body ~= nil then
  wrk.headers["Content-Type"] = os.getenv("CK_CONTENT_TYPE") or "application/json"
end
local bearer = os.getenv("CK_BEARER")
if bearer ~= nil and bearer ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. bearer
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'CKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"lat_mean_us":%.1f,"lat_p50_us":%d,' ..
    '"lat_p90_us":%d,"lat_p99_us":%d,"lat_max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
