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
-- KEYS[10] {ev:E}:queue         waiting-room settings (enabled: reserving needs a queue pass)
-- KEYS[11] {ev:E}:queue-pass    user_id -> id of the user's live queue pass
-- KEYS[12] {ev:E}:zone:Z:waitlist     the zone's waiting bookings by ticket (join order)
-- KEYS[13] {ev:E}:zone:Z:waitlisters  user_id -> booking_id of the user's waiting place in the zone
-- ARGV[1] user_id   ARGV[2] booking_id   ARGV[3] request hash   ARGV[4] zone_id   ARGV[5] show_id
-- ARGV[6] quantity (general admission; ignored for assigned seats)
-- ARGV[7] seat ids, comma-separated ('' for general admission)
-- ARGV[8] hold ms   ARGV[9] rate burst   ARGV[10] rate per minute
-- ARGV[11] id of the queue pass the caller presented, its signature, buyer, event and expiry
--          verified ('' when none or not valid)
-- ARGV[12] idempotency record ttl seconds   ARGV[13] traceparent ('' when none)   ARGV[14] event id E
-- ARGV[15] '1' to join the zone's waitlist when the request cannot be served, else ''
-- ARGV[16] the buyer's birth date 'YYYY-MM-DD' ('' when the profile has none)
-- returns {'ok', result json} | {'replay', stored result json} | {'error', code, details json}
-- The result is a hold (status reserved, with `remaining`) or a waiting place (status waitlisted,
-- with `waitlist_position`).
--
-- Order: the idempotency replay first (a retry must not be refused by any later check), then the
-- waiting room (with it on, only the holder of the buyer's live pass gets further: a pass freed by a
-- purchase, a cancellation or its expiry is no longer the live one), then the rate limit, which a
-- live pass skips and which spends a token on every attempt it lets through (else hammering a
-- sold-out zone would never be limited); every other failed check changes nothing at all. An event
-- without a waiting room costs one HGET more. Then the window, the buyer's age, the zone, the
-- per-user limit (waiting quantities count), and the seats: while anyone waits in the zone, its
-- free seats are theirs (_waitlist.lua), so a newcomer is served only by an empty waitlist.

-- include: _now.lua
-- include: _booking.lua
-- include: _token-bucket.lua
-- include: _age.lua

local event_key, zone_key, seats_key, user_tickets_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local booking_key, expiry_key, idempotency_key, rate_key, outbox_key = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local queue_key, queue_pass_key, waitlist_key, waitlisters_key = KEYS[10], KEYS[11], KEYS[12], KEYS[13]
local user_id, booking_id, request_hash, zone_id, show_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local requested_quantity, seat_list, hold_ms = tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local rate_burst, rate_per_minute, queue_pass = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local idempotency_ttl, traceparent, event_id = tonumber(ARGV[12]), ARGV[13], ARGV[14]
local join_waitlist, birthdate = ARGV[15] == '1', ARGV[16]
local now = now_ms()

local stored = redis.call('GET', idempotency_key)
if stored then
  local record = cjson.decode(stored)
  if record.hash ~= request_hash then return failure('IDEMPOTENCY_KEY_REUSED') end
  return { 'replay', cjson.encode(record.result) }
end

local admitted = false
if redis.call('HGET', queue_key, 'enabled') == '1' then
  if queue_pass == '' or redis.call('HGET', queue_pass_key, user_id) ~= queue_pass then return failure('QUEUE_REQUIRED') end
  admitted = true
end

if not admitted then
  local per_ms = rate_per_minute / 60000
  local tokens = bucket_tokens(rate_key, rate_burst, per_ms, now)
  if tokens < 1 then
    return failure('RATE_LIMITED', { retry_after_ms = bucket_retry_ms(tokens, per_ms) })
  end
  bucket_spend(rate_key, tokens, rate_burst, per_ms, now)
end

local event = redis.call('HMGET', event_key, 'status', 'opens_at_ms', 'closes_at_ms', 'max_per_user', 'waitlist_limit', 'min_age')
if event[1] ~= 'published' then return failure('BOOKING_NOT_OPEN', { reason = 'not_published' }) end
local opens_at, closes_at = tonumber(event[2]), tonumber(event[3])
if now < opens_at or now >= closes_at then
  return failure('BOOKING_NOT_OPEN', { opens_at_ms = opens_at, closes_at_ms = closes_at })
end

local min_age = tonumber(event[6]) or 0
if min_age > 0 then
  if birthdate == '' then return failure('AGE_RESTRICTED', { min_age = min_age, reason = 'date_of_birth_required' }) end
  local age = age_in_years(birthdate, now)
  if not age or age < min_age then return failure('AGE_RESTRICTED', { min_age = min_age, reason = 'too_young' }) end
end

local zone = redis.call('HMGET', zone_key, 'show_id', 'kind', 'total', 'reserved', 'sold', 'waitlisted')
if zone[1] ~= show_id then return failure('NOT_FOUND', { resource = 'zone' }) end
local total, reserved, sold, waiting = tonumber(zone[3]), tonumber(zone[4]), tonumber(zone[5]), tonumber(zone[6]) or 0
local available = total - reserved - sold

local seats = split_seats(seat_list)
local quantity = requested_quantity
if zone[2] == 'assigned' then
  if #seats == 0 then return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'this zone has assigned seats: choose seat_ids' }) end
  quantity = #seats
elseif #seats > 0 then
  return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'this zone is general admission: send quantity, not seat_ids' })
end

local max_per_user = tonumber(event[4])
local already = tonumber(redis.call('HGET', user_tickets_key, user_id) or '0')
if already + quantity > max_per_user then
  return failure('MAX_PER_USER_EXCEEDED', { limit = max_per_user, already = already, requested = quantity })
end

local refusal
if #seats > 0 then
  local unavailable, seen = {}, {}
  for _, seat in ipairs(seats) do
    if seen[seat] then return failure('VALIDATION_ERROR', { field = 'seat_ids', message = 'a seat is listed twice' }) end
    seen[seat] = true
    if redis.call('HGET', seats_key, seat) ~= '' then unavailable[#unavailable + 1] = seat end
  end
  if #unavailable > 0 then refusal = failure('SEAT_UNAVAILABLE', { seat_ids = unavailable }) end
end
if refusal then
  -- A chosen seat is taken: said as such, waitlist or not.
elseif waiting > 0 then
  refusal = failure('INSUFFICIENT_STOCK', { available = 0, requested = quantity, waitlisted = waiting })
elseif #seats == 0 and quantity > available then
  refusal = failure('INSUFFICIENT_STOCK', { available = available, requested = quantity })
end

if refusal then
  if not join_waitlist then return refusal end
  -- A waiting place instead: one per buyer and zone, at most waitlist_limit per zone.
  local own = redis.call('HGET', waitlisters_key, user_id)
  if own then
    return failure('ALREADY_WAITLISTED', { booking_id = own, waitlist_position = redis.call('ZRANK', waitlist_key, own) + 1 })
  end
  local limit = tonumber(event[5]) or 0
  if waiting >= limit then return failure('WAITLIST_FULL', { limit = limit }) end

  local ticket = redis.call('HINCRBY', zone_key, 'waitlist_seq', 1)
  redis.call('ZADD', waitlist_key, ticket, booking_id)
  redis.call('HSET', waitlisters_key, user_id, booking_id)
  redis.call('HINCRBY', zone_key, 'waitlisted', 1)
  local waiting_seq = redis.call('HINCRBY', zone_key, 'seq', 1)
  redis.call('HINCRBY', user_tickets_key, user_id, quantity)
  local place = {
    booking_id = booking_id, user_id = user_id, event_id = event_id, show_id = show_id, zone_id = zone_id,
    quantity = tostring(quantity), seat_ids = '', status = 'waitlisted', created_at_ms = tostring(now),
    expires_at_ms = tostring(closes_at), seq = tostring(waiting_seq), hold_ms = tostring(hold_ms),
    waitlist_position = tostring(redis.call('ZCARD', waitlist_key)),
  }
  local place_fields = {}
  for field, value in pairs(place) do place_fields[#place_fields + 1] = field; place_fields[#place_fields + 1] = value end
  redis.call('HSET', booking_key, unpack(place_fields))
  local place_json = cjson.encode(booking_view(place))
  redis.call('SET', idempotency_key, '{"hash":"' .. request_hash .. '","result":' .. place_json .. '}', 'EX', idempotency_ttl)
  emit(outbox_key, 'booking.waitlisted', place, now, traceparent, place_json)
  return { 'ok', place_json }
end

-- Every check passed: from here on nothing can fail.
redis.call('HINCRBY', zone_key, 'reserved', quantity)
local seq = redis.call('HINCRBY', zone_key, 'seq', 1)
for _, seat in ipairs(seats) do redis.call('HSET', seats_key, seat, 'held:' .. booking_id) end
redis.call('HINCRBY', user_tickets_key, user_id, quantity)

local booking = {
  booking_id = booking_id, user_id = user_id, event_id = event_id, show_id = show_id, zone_id = zone_id,
  quantity = tostring(quantity), seat_ids = seat_list, status = 'reserved',
  created_at_ms = tostring(now), expires_at_ms = tostring(now + hold_ms), seq = tostring(seq),
}
local fields = {}
for field, value in pairs(booking) do fields[#fields + 1] = field; fields[#fields + 1] = value end
redis.call('HSET', booking_key, unpack(fields))
redis.call('ZADD', expiry_key, booking.expires_at_ms, booking_id)

-- One JSON encoding serves the stream entry, the answer and the idempotency record (this is the
-- hottest script, and encoding was a third of its own time): the answer is the view with
-- `remaining` spliced in as text; the request hash is hex, so it needs no escaping.
local view_json = cjson.encode(booking_view(booking))
local result_json = string.sub(view_json, 1, -2) .. ',"remaining":' .. (available - quantity) .. '}'
redis.call('SET', idempotency_key, '{"hash":"' .. request_hash .. '","result":' .. result_json .. '}', 'EX', idempotency_ttl)
emit(outbox_key, 'booking.created', booking, now, traceparent, view_json)
return { 'ok', result_json }
