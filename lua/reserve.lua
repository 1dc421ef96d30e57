-- reserve: hold seats of one zone for a user, atomically, or change nothing.
--
-- KEYS[1] {ev:E}:event          event: status, opens_at_ms, closes_at_ms, max_per_user
-- KEYS[2] {ev:E}:zone:Z         zone: show_id, kind, total, reserved, sold, seq
-- KEYS[3] {ev:E}:zone:Z:seats   assigned seats: seat_id -> '' | held:<booking> | sold:<booking>
-- KEYS[4] {ev:E}:user-tickets   user_id -> tickets held or bought for the event
-- KEYS[5] {ev:E}:booking:B      the new booking record
-- KEYS[6] {ev:E}:expiry         live holds by expiry time
-- KEYS[7] {ev:E}:idem:U:K       idempotency record {hash, result}
-- KEYS[8] {ev:E}:rate:U         the user's token bucket
-- KEYS[9] {ev:E}:outbox         event stream read by the outbox relay
-- ARGV[1] user_id   ARGV[2] booking_id   ARGV[3] request hash   ARGV[4] zone_id   ARGV[5] show_id
-- ARGV[6] quantity (general admission; ignored for assigned seats)
-- ARGV[7] seat ids, comma-separated ('' for general admission)
-- ARGV[8] hold ms   ARGV[9] rate burst   ARGV[10] rate per minute
-- ARGV[11] '1' when a valid queue pass was presented (no rate limit)
-- ARGV[12] idempotency record ttl seconds   ARGV[13] traceparent ('' when none)   ARGV[14] event id E
-- returns {'ok', result json} | {'replay', stored result json} | {'error', code, details json}
--
-- Order: the idempotency replay first (a retry must not be refused by any later check), then the
-- rate limit, which spends a token on every attempt it lets through (else hammering a sold-out zone
-- would never be limited); every other failed check changes nothing at all.

-- include: _booking.lua
-- include: _token-bucket.lua

local user_id, booking_id, request_hash = ARGV[1], ARGV[2], ARGV[3]
local zone_id, show_id = ARGV[4], ARGV[5]
local now = now_ms()

local stored = redis.call('GET', KEYS[7])
if stored then
  local record = cjson.decode(stored)
  if record.hash ~= request_hash then return failure('IDEMPOTENCY_KEY_REUSED') end
  return { 'replay', cjson.encode(record.result) }
end

if ARGV[11] ~= '1' then
  local burst, per_ms = tonumber(ARGV[9]), tonumber(ARGV[10]) / 60000
  local tokens = bucket_tokens(KEYS[8], burst, per_ms, now)
  if tokens < 1 then
    return failure('RATE_LIMITED', { retry_after_ms = bucket_retry_ms(tokens, per_ms) })
  end
  bucket_spend(KEYS[8], tokens, burst, per_ms, now)
end

local event = redis.call('HMGET', KEYS[1], 'status', 'opens_at_ms', 'closes_at_ms', 'max_per_user')
if event[1] ~= 'published' then return failure('BOOKING_NOT_OPEN', { reason = 'not_published' }) end
local opens_at, closes_at = tonumber(event[2]), tonumber(event[3])
if now < opens_at or now >= closes_at then
  return failure('BOOKING_NOT_OPEN', { opens_at_ms = opens_at, closes_at_ms = closes_at })
end

local zone = redis.call('HMGET', KEYS[2], 'show_id', 'kind', 'total', 'reserved', 'sold')
if zone[1] ~= show_id then return failure('NOT_FOUND', { resource = 'zone' }) end
local total, reserved, sold = tonumber(zone[3]), tonumber(zone[4]), tonumber(zone[5])
local available = total - reserved - sold

local seats = split_seats(ARGV[7])
local quantity = tonumber(ARGV[6])
if zone[2] == 'assigned' then
  if #seats == 0 then return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'this zone has assigned seats: choose seat_ids' }) end
  quantity = #seats
elseif #seats > 0 then
  return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'this zone is general admission: send quantity, not seat_ids' })
end

local max_per_user = tonumber(event[4])
local already = tonumber(redis.call('HGET', KEYS[4], user_id) or '0')
if already + quantity > max_per_user then
  return failure('MAX_PER_USER_EXCEEDED', { limit = max_per_user, already = already, requested = quantity })
end

if #seats > 0 then
  local unavailable, seen = {}, {}
  for _, seat in ipairs(seats) do
    if seen[seat] then return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'a seat is listed twice' }) end
    seen[seat] = true
    if redis.call('HGET', KEYS[3], seat) ~= '' then unavailable[#unavailable + 1] = seat end
  end
  if #unavailable > 0 then return failure('SEAT_UNAVAILABLE', { seat_ids = unavailable }) end
elseif quantity > available then
  return failure('INSUFFICIENT_STOCK', { available = available, requested = quantity })
end

-- Every check passed: from here on nothing can fail.
redis.call('HINCRBY', KEYS[2], 'reserved', quantity)
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
for _, seat in ipairs(seats) do redis.call('HSET', KEYS[3], seat, 'held:' .. booking_id) end
redis.call('HINCRBY', KEYS[4], user_id, quantity)

local booking = {
  booking_id = booking_id, user_id = user_id, event_id = ARGV[14], show_id = show_id, zone_id = zone_id,
  quantity = tostring(quantity), seat_ids = ARGV[7], status = 'reserved',
  created_at_ms = tostring(now), expires_at_ms = tostring(now + tonumber(ARGV[8])), seq = tostring(seq),
}
local fields = {}
for field, value in pairs(booking) do fields[#fields + 1] = field; fields[#fields + 1] = value end
redis.call('HSET', KEYS[5], unpack(fields))
redis.call('ZADD', KEYS[6], booking.expires_at_ms, booking_id)

local result = booking_view(booking)
result.remaining = available - quantity
redis.call('SET', KEYS[7], cjson.encode({ hash = request_hash, result = result }), 'EX', tonumber(ARGV[12]))
emit(KEYS[9], 'booking.created', booking, now, ARGV[13])
return { 'ok', cjson.encode(result) }
