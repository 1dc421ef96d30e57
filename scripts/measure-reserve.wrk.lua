-- wrk script: POST reserve with a fresh Idempotency-Key per request and a real token per buyer.
-- args: <users file: "user_id token" per line> <show id> <zone ids, comma-separated> <mode: full|baseline>
local threads = {}
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local users, tokens, zones = {}, {}, {}
-- `id` is the global each thread gets from setup (thread:set); a local of that name would hide it,
-- and every thread would then send the same keys (replays, not new holds).
local counter, mode, show = 0, "full", ""
local prefix
statuses = {}
function init(args)
  for line in io.lines(args[1]) do
    local user, token = line:match("^(%S+) (%S+)$")
    users[#users + 1] = user
    tokens[#tokens + 1] = token
  end
  show = args[2]
  for zone in args[3]:gmatch("[^,]+") do zones[#zones + 1] = zone end
  mode = args[4]
  math.randomseed(os.time() * 1000 + id)
  -- The table's address differs per thread and per run, the time per run.
  prefix = string.format("w%d-%d-%s-%d-", id, os.time(), tostring({}):sub(8), math.random(1, 1000000000))
end

function request()
  counter = counter + 1
  local index = (counter * 7919 + id * 104729) % #users + 1
  local zone = zones[counter % #zones + 1]
  -- The same request to both; the baseline (loadtest/baseline-reserve-server.ts) reads the buyer
  -- from x-bench-user instead of verifying the token.
  local headers = {
    ["content-type"] = "application/json",
    ["authorization"] = "Bearer " .. tokens[index],
    ["idempotency-key"] = prefix .. counter,
  }
  if mode == "baseline" then headers["x-bench-user"] = users[index] end
  return wrk.format("POST", "/api/v1/bookings/reserve", headers, '{"show_id":"' .. show .. '","zone_id":"' .. zone .. '","quantity":1}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local mix = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do mix[status] = (mix[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(mix) do parts[#parts + 1] = status .. ":" .. count end
  table.sort(parts)
  io.write(string.format("STATUS %s\n", table.concat(parts, " ")))
  io.write(string.format("LAT p50 %.2f p99 %.2f p999 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
