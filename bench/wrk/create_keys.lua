-- wrk script for scripts/bench's memory stage: creates CK_KEY_COUNT keys named
-- {CK_KEY_PREFIX}{n} (POST /keys/{name}/create, body CK_BODY_FILE), then stops. Use with one
-- wrk thread (-t1) so the counters are shared by every connection. Creates go on until
-- CK_KEY_COUNT have answered with a key bundle (a request lost to a reconnect is simply asked
-- again under a new name), so the server ends up holding CK_KEY_COUNT keys plus at most the
-- ones still in flight on the other connections. Prints "CKCREATED {...}" when it stops.
-- Env: CK_HOST, CK_BEARER, CK_BODY_FILE, CK_KEY_COUNT, CK_KEY_PREFIX.
local limit = tonumber(os.getenv("CK_KEY_COUNT") or "1000")
local prefix = os.getenv("CK_KEY_PREFIX") or "bulk"
local f = assert(io.open(os.getenv("CK_BODY_FILE"), "rb"))
local body = f:read("*a")
f:close()
wrk.headers["Host"] = os.getenv("CK_HOST")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CK_BEARER")

local issued, created, failed = 0, 0, 0
local stopped = false

function request()
  issued = issued + 1
  return wrk.format("POST", "/keys/" .. prefix .. issued .. "/create?api-version=7.4", nil, body)
end

function response(status, headers, body)
  if status == 200 and body ~= nil and string.find(body, '"kid"', 1, true) then
    created = created + 1
  else
    failed = failed + 1
  end
  if not stopped and (created >= limit or failed > 100) then
    stopped = true
    io.write(string.format('CKCREATED {"created":%d,"failed":%d,"issued":%d}\n', created, failed, issued))
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  io.write(string.format('CKJSON {"requests":%d,"duration_us":%d,"errors_status":%d}\n',
    summary.requests, summary.duration, summary.errors.status))
end
