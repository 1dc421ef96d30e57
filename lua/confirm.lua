-- confirm: a paid hold becomes sold (reserved -> confirmed). A hold past its expiry is expired
-- here and then (seats back, booking.expired) and answered RESERVATION_EXPIRED: never sold late.
--
-- KEYS[1] {ev:E}:booking:B   KEYS[2] {ev:E}:user-tickets   KEYS[3] {ev:E}:expiry   KEYS[4] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] booking_id   ARGV[3] user_id ('' when the payment saga confirms)
-- ARGV[4] payment_id   ARGV[5] record ttl seconds   ARGV[6] traceparent ('' when none)
-- returns {'ok', booking json} | {'error', code, details json}
-- Confirming again with the same payment is answered 'ok' (a retried confirmation changes nothing).

-- include: _booking.lua

local booking = read_booking(KEYS[1])
if not booking or (ARGV[3] ~= '' and booking.user_id ~= ARGV[3]) then return failure('NOT_FOUND', { resource = 'booking' }) end
local keys = { user_tickets = KEYS[2], expiry = KEYS[3], outbox = KEYS[4] }
local now = now_ms()

if booking.status == 'confirmed' then
  if booking.payment_id == ARGV[4] then return { 'ok', cjson.encode(booking_view(booking)) } end
  return failure('CONFLICT', { status = 'confirmed', message = 'already confirmed with another payment' })
end
if booking.status == 'expired' then return failure('RESERVATION_EXPIRED', { expires_at_ms = tonumber(booking.expires_at_ms) }) end
if booking.status ~= 'reserved' then return failure('CONFLICT', { status = booking.status }) end

if now >= tonumber(booking.expires_at_ms) then
  close_booking(ARGV[1], KEYS[1], booking, 'expired', 'booking.expired', keys, now, tonumber(ARGV[5]), ARGV[6])
  return failure('RESERVATION_EXPIRED', { expires_at_ms = tonumber(booking.expires_at_ms) })
end

local zone_key = ARGV[1] .. ':zone:' .. booking.zone_id
local quantity = tonumber(booking.quantity)
redis.call('HINCRBY', zone_key, 'reserved', -quantity)
redis.call('HINCRBY', zone_key, 'sold', quantity)
booking.seq = redis.call('HINCRBY', zone_key, 'seq', 1)
for _, seat in ipairs(split_seats(booking.seat_ids)) do
  redis.call('HSET', zone_key .. ':seats', seat, 'sold:' .. booking.booking_id)
end
redis.call('ZREM', KEYS[3], booking.booking_id)
booking.status, booking.payment_id, booking.confirmed_at_ms = 'confirmed', ARGV[4], now
redis.call('HSET', KEYS[1], 'status', 'confirmed', 'payment_id', ARGV[4], 'confirmed_at_ms', now, 'seq', booking.seq)
emit(KEYS[4], 'booking.confirmed', booking, now, ARGV[6])
return { 'ok', cjson.encode(booking_view(booking)) }
