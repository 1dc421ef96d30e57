-- wrk script of the reserve benchmark (loadtest/bench-reserve.ts runs it; wrk 4, LuaJIT).
--
-- Every request: POST <BENCH_PATH> with a fresh Idempotency-Key, the next buyer's real bearer
-- token (rotating over every registered buyer) and one seat of the next of the sale's zones.
-- The same request goes to the full path and to the baseline; the baseline has no auth and reads
-- the buyer from x-bench-user (the full path ignores that header).
--
-- Read from the environment (wrk passes its own, set by bench-reserve.ts):
--   BENCH_BUYERS_FILE  lines "<user id> <access token>", one per buyer
--   BENCH_SHOW_ID      the show;  BENCH_ZONE_IDS  its zones, comma-separated
--   BENCH_PATH         request path;  BENCH_RUN_ID  prefix of every Idempotency-Key
--   BENCH_IDS_DIR      where each thread writes the booking_id of every 201 (ids-<thread>.txt)
--   BENCH_THREADS      wrk's -t, so each thread starts at its own share of the buyers
--
-- done() prints lines for bench-report.ts (parseWrkReport), microseconds throughout:
--   BENCH-RESULT requests=N duration_us=N connect=N read=N write=N timeout=N p50_us=N p99_us=N p999_us=N max_us=N
--   BENCH-STATUS <status>[ <error code>] <count>      (one line per status and code)

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local buyers, zones = {}, {}
local show_id, path, run_id
local counter, ids_file = 0, nil
statuses = {}

function init(args)
  for line in io.lines(os.getenv("BENCH_BUYERS_FILE")) do
    local user_id, token = line:match("^(%S+) (%S+)$")
    if user_id then buyers[#buyers + 1] = { user_id = user_id, authorization = "Bearer " .. token } end
  end
  assert(#buyers > 0, "no buyers in BENCH_BUYERS_FILE")
  for zone in os.getenv("BENCH_ZONE_IDS"):gmatch("[^,]+") do zones[#zones + 1] = zone end
  show_id, path, run_id = os.getenv("BENCH_SHOW_ID"), os.getenv("BENCH_PATH"), os.getenv("BENCH_RUN_ID")
  ids_file = assert(io.open(os.getenv("BENCH_IDS_DIR") .. "/ids-" .. thread_id .. ".txt", "w"))
  -- Threads start at different buyers, so they do not send for the same buyer at the same time.
  counter = thread_id * math.floor(#buyers / tonumber(os.getenv("BENCH_THREADS")))
end

function request()
  counter = counter + 1
  local buyer = buyers[counter % #buyers + 1]
  local body = '{"show_id":"' .. show_id .. '","zone_id":"' .. zones[counter % #zones + 1] .. '","quantity":1}'
  return wrk.format("POST", path, {
    ["content-type"] = "application/json",
    ["authorization"] = buyer.authorization,
    ["idempotency-key"] = run_id .. "-" .. thread_id .. "-" .. counter,
    ["x-bench-user"] = buyer.user_id,
  }, body)
end

function response(status, headers, body)
  local key = tostring(status)
  if status == 201 then
    local booking_id = body:match('"booking_id":"([%x-]+)"')
    if booking_id then ids_file:write(booking_id, "\n") else key = "201 no-booking-id" end
  else
    local code = body:match('"code":"([%u_]+)"')
    if code then key = key .. " " .. code end
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do total[key] = (total[key] or 0) + count end
  end
  for key, count in pairs(total) do io.write(string.format("BENCH-STATUS %s %d\n", key, count)) end
end
