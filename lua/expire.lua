-- expire: closes the event's holds whose time is up, a bounded batch per call; seats go back and
-- booking.expired goes to the outbox. Atomic, so sweepers on several replicas split the work and
-- never expire a booking twice.
--
-- KEYS[1] {ev:E}:expiry   KEYS[2] {ev:E}:user-tickets   KEYS[3] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] batch size   ARGV[3] record ttl seconds
-- returns {bookings expired, waiting bookings closed} (either a full batch means: call again)
-- Booking and zone keys are derived from the tag (`{ev:E}:booking:B`, `{ev:E}:zone:Z`): which
-- bookings are due is only known inside the script. A buyer whose hold expired has used up their
-- waiting-room pass too (as one who bought or cancelled): the slot goes to the next buyer.
-- Expired seats go to the zone's waitlist first (_waitlist.lua), zone by zone after the batch. Once
-- the sale is over (booking window passed, or the event cancelled) the event's waitlists close:
-- each waiting booking is cancelled with booking.waitlist_closed, so its buyer is told.

-- include: _now.lua
-- include: _booking.lua
-- include: _waitlist.lua

local expiry_key, user_tickets_key, outbox_key = KEYS[1], KEYS[2], KEYS[3]
local tag, batch_size, record_ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local keys = { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key }

local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', expiry_key, '-inf', now, 'LIMIT', 0, batch_size)
local expired, zones_given_back = 0, {}
for _, booking_id in ipairs(due) do
  local booking_key = tag .. ':booking:' .. booking_id
  local booking = read_booking(booking_key)
  if booking and booking.status == 'reserved' then
    close_booking(tag, booking_key, booking, 'expired', 'booking.expired', keys, now, record_ttl, '')
    free_queue_slot(tag, booking.user_id)
    zones_given_back[booking.zone_id] = true
    expired = expired + 1
  else
    -- A stale entry (record gone or already closed): drop it so it is not looked at again.
    redis.call('ZREM', expiry_key, booking_id)
  end
end
for zone_id in pairs(zones_given_back) do promote_waitlist(tag, zone_id, keys, now, '') end

local closed = 0
if sale_over(tag, now) then closed = close_waitlists(tag, keys, now, record_ttl, batch_size) end
return { expired, closed }
