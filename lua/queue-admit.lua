-- queue-admit: one admission step of the event's waiting room, run by the one queue-admitter that
-- leads. First the passes whose time is up free their slots; then, while the sale is open, the line
-- opened, admission not paused and seats are left, it admits the next buyers in line: as many as the
-- token bucket allows (rate_per_minute, at most one admitter interval's worth at once), the free
-- slots (max_active) and the seats nobody admitted is about to take (available minus the admitted
-- buyers who hold nothing yet). Each admitted buyer gets one pass (id, expiry) and a slot.
--
-- KEYS[1] {ev:E}:queue          KEYS[2] {ev:E}:event         KEYS[3] {ev:E}:queue-line
-- KEYS[4] {ev:E}:queue-joined   KEYS[5] {ev:E}:queue-active  KEYS[6] {ev:E}:queue-pass
-- KEYS[7] {ev:E}:queue-state    KEYS[8] {ev:E}:queue-admissions   KEYS[9] {ev:E}:queue-bucket
-- KEYS[10] {ev:E}:zones         KEYS[11] {ev:E}:user-tickets
-- ARGV[1] tag {ev:E}   ARGV[2] seed of the pre-queue's draw (an integer)
-- ARGV[3] the admitter's interval ms (the bucket holds that long's admissions)   ARGV[4] batch max
-- returns json {admitted: [[user_id, pass_id, waited_ms], ...], freed, depth, active, reason}
--   reason: admitted | disabled | closed | not_open | paused | sold_out | no_stock | full | rate | empty

-- include: _now.lua
-- include: _token-bucket.lua
-- include: _queue.lua

local keys = {
  queue = KEYS[1], event = KEYS[2], line = KEYS[3], joined = KEYS[4], active = KEYS[5], pass = KEYS[6],
  state = KEYS[7], admissions = KEYS[8], bucket = KEYS[9], zones = KEYS[10], user_tickets = KEYS[11], tag = ARGV[1],
}
local seed, interval_ms, batch_max = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local now = now_ms()

-- Used-up passes first, whatever holds admission back: their slots are free again.
local expired = redis.call('ZRANGEBYSCORE', keys.active, '-inf', now)
for _, user_id in ipairs(expired) do
  redis.call('ZREM', keys.active, user_id)
  redis.call('HDEL', keys.pass, user_id)
end
redis.call('ZREMRANGEBYSCORE', keys.admissions, '-inf', now - 60000)

local function done(reason, admitted)
  return cjson.encode({
    admitted = admitted or {}, freed = #expired, reason = reason,
    depth = redis.call('ZCARD', keys.line), active = redis.call('ZCARD', keys.active),
  })
end

local settings = queue_settings(keys.queue)
if not settings.enabled then return done('disabled') end
local window = sale_window(keys.event)
if sale_closed(window, now) then return done('closed') end
if not open_line(keys, settings.order, window.opens_at, now, seed) then return done('not_open') end
if settings.paused then return done('paused') end
local available, held = event_stock(keys)
if available and available <= 0 then
  if held == 0 then return done('sold_out') end
  return done('no_stock')
end
if settings.rate_per_minute <= 0 then return done('rate') end

local active_users = redis.call('ZRANGE', keys.active, 0, -1)
local room = settings.max_active - #active_users
if available then
  local browsing = 0
  for _, user_id in ipairs(active_users) do
    if tonumber(redis.call('HGET', keys.user_tickets, user_id) or '0') == 0 then browsing = browsing + 1 end
  end
  room = math.min(room, available - browsing)
end
local per_ms = settings.rate_per_minute / 60000
local burst = math.max(1, per_ms * interval_ms)
local tokens = bucket_tokens(keys.bucket, burst, per_ms, now)
local count = math.min(math.floor(tokens), room, batch_max)
if room <= 0 then return done('full') end
if count <= 0 then return done('rate') end

local popped = redis.call('ZPOPMIN', keys.line, count)
if #popped == 0 then return done('empty') end
local admitted, first_pass = {}, nil
for index = 1, #popped, 2 do
  local user_id = popped[index]
  local pass_id = redis.call('HINCRBY', keys.state, 'pass_seq', 1)
  first_pass = first_pass or pass_id
  redis.call('HSET', keys.pass, user_id, pass_id)
  redis.call('ZADD', keys.active, now + settings.pass_ttl_ms, user_id)
  local joined_at = tonumber(redis.call('HGET', keys.joined, user_id) or now)
  redis.call('HDEL', keys.joined, user_id)
  admitted[#admitted + 1] = { user_id, tostring(pass_id), now - joined_at }
end
bucket_spend(keys.bucket, tokens, burst, per_ms, now, #admitted)
redis.call('ZADD', keys.admissions, now, first_pass .. ':' .. #admitted)
return done('admitted', admitted)
