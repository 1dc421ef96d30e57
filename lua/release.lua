-- release: cancel a booking and put its seats back on sale at once (reserved or confirmed ->
-- cancelled; the payment saga refunds a confirmed one on booking.cancelled), where the zone's
-- waitlist gets them first (_waitlist.lua: the same step promotes). A waiting booking that is
-- cancelled leaves its waitlist (waitlisted -> cancelled; it held no seats).
--
-- KEYS[1] {ev:E}:booking:B   KEYS[2] {ev:E}:user-tickets   KEYS[3] {ev:E}:expiry   KEYS[4] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] booking_id   ARGV[3] user_id ('' when the system cancels)
-- ARGV[4] record ttl seconds   ARGV[5] traceparent ('' when none)
-- returns {'ok', booking json (with previous_status)} | {'error', code, details json}
-- Cancelling a cancelled booking is answered 'ok' again; an expired one is a CONFLICT (its seats
-- went back already). A cancellation uses up the buyer's waiting-room pass ({ev:E}:queue-pass,
-- {ev:E}:queue-active, derived from the tag).

-- include: _now.lua
-- include: _booking.lua
-- include: _waitlist.lua

local booking_key, user_tickets_key, expiry_key, outbox_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local tag, booking_id, user_id = ARGV[1], ARGV[2], ARGV[3]
local record_ttl, traceparent = tonumber(ARGV[4]), ARGV[5]
local keys = { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key }

local booking = read_booking(booking_key)
if not booking or (user_id ~= '' and booking.user_id ~= user_id) then return failure('NOT_FOUND', { resource = 'booking' }) end
if booking.status == 'cancelled' then
  local view = booking_view(booking)
  view.previous_status = 'cancelled'
  return { 'ok', cjson.encode(view) }
end
local previous_status, now = booking.status, now_ms()
if previous_status == 'waitlisted' then
  close_waiting(tag, booking_key, booking, 'booking.cancelled', keys, now, record_ttl, traceparent)
else
  if previous_status ~= 'reserved' and previous_status ~= 'confirmed' then return failure('CONFLICT', { status = previous_status }) end
  close_booking(tag, booking_key, booking, 'cancelled', 'booking.cancelled', keys, now, record_ttl, traceparent)
  free_queue_slot(tag, booking.user_id)
  promote_waitlist(tag, booking.zone_id, keys, now, traceparent)
end
local view = booking_view(booking)
view.previous_status = previous_status
return { 'ok', cjson.encode(view) }
