-- confirm: a paid hold becomes sold (reserved -> confirmed). A hold past its expiry is expired
-- here and then (seats back, to the zone's waitlist first; booking.expired) and answered
-- RESERVATION_EXPIRED: never sold late.
--
-- KEYS[1] {ev:E}:booking:B   KEYS[2] {ev:E}:user-tickets   KEYS[3] {ev:E}:expiry   KEYS[4] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] booking_id   ARGV[3] user_id ('' when the payment saga confirms)
-- ARGV[4] payment_id   ARGV[5] record ttl seconds   ARGV[6] traceparent ('' when none)
-- returns {'ok', booking json} | {'error', code, details json}
-- Confirming again with the same payment is answered 'ok' (a retried confirmation changes nothing).
-- A buyer who bought has used up their waiting-room pass ({ev:E}:queue-pass, {ev:E}:queue-active,
-- derived from the tag).

-- include: _now.lua
-- include: _booking.lua
-- include: _waitlist.lua

local booking_key, user_tickets_key, expiry_key, outbox_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local tag, booking_id, user_id, payment_id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local record_ttl, traceparent = tonumber(ARGV[5]), ARGV[6]
local keys = { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key }

local booking = read_booking(booking_key)
if not booking or (user_id ~= '' and booking.user_id ~= user_id) then return failure('NOT_FOUND', { resource = 'booking' }) end
local now = now_ms()

if booking.status == 'confirmed' then
  if booking.payment_id == payment_id then return { 'ok', cjson.encode(booking_view(booking)) } end
  return failure('CONFLICT', { status = 'confirmed', message = 'already confirmed with another payment' })
end
if booking.status == 'expired' then return failure('RESERVATION_EXPIRED', { expires_at_ms = tonumber(booking.expires_at_ms) }) end
if booking.status ~= 'reserved' then return failure('CONFLICT', { status = booking.status }) end

if now >= tonumber(booking.expires_at_ms) then
  close_booking(tag, booking_key, booking, 'expired', 'booking.expired', keys, now, record_ttl, traceparent)
  promote_waitlist(tag, booking.zone_id, keys, now, traceparent)
  return failure('RESERVATION_EXPIRED', { expires_at_ms = tonumber(booking.expires_at_ms) })
end

local zone_key = tag .. ':zone:' .. booking.zone_id
local quantity = tonumber(booking.quantity)
redis.call('HINCRBY', zone_key, 'reserved', -quantity)
redis.call('HINCRBY', zone_key, 'sold', quantity)
booking.seq = redis.call('HINCRBY', zone_key, 'seq', 1)
for _, seat in ipairs(split_seats(booking.seat_ids)) do
  redis.call('HSET', zone_key .. ':seats', seat, 'sold:' .. booking.booking_id)
end
redis.call('ZREM', expiry_key, booking.booking_id)
booking.status, booking.payment_id, booking.confirmed_at_ms = 'confirmed', payment_id, now
redis.call('HSET', booking_key, 'status', 'confirmed', 'payment_id', payment_id, 'confirmed_at_ms', now, 'seq', booking.seq)
free_queue_slot(tag, booking.user_id)
emit(outbox_key, 'booking.confirmed', booking, now, traceparent)
return { 'ok', cjson.encode(booking_view(booking)) }
