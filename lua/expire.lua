-- expire: closes the event's holds whose time is up, a bounded batch per call; seats go back and
-- booking.expired goes to the outbox. Atomic, so sweepers on several replicas split the work and
-- never expire a booking twice.
--
-- KEYS[1] {ev:E}:expiry   KEYS[2] {ev:E}:user-tickets   KEYS[3] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] batch size   ARGV[3] record ttl seconds
-- returns the number of bookings expired (a full batch means: call again)
-- Booking and zone keys are derived from the tag (`{ev:E}:booking:B`, `{ev:E}:zone:Z`): which
-- bookings are due is only known inside the script. A buyer whose hold expired has used up their
-- waiting-room pass too (as one who bought or cancelled): the slot goes to the next buyer.

-- include: _now.lua
-- include: _booking.lua

local expiry_key, user_tickets_key, outbox_key = KEYS[1], KEYS[2], KEYS[3]
local tag, batch_size, record_ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local keys = { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key }

local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', expiry_key, '-inf', now, 'LIMIT', 0, batch_size)
local expired = 0
for _, booking_id in ipairs(due) do
  local booking_key = tag .. ':booking:' .. booking_id
  local booking = read_booking(booking_key)
  if booking and booking.status == 'reserved' then
    close_booking(tag, booking_key, booking, 'expired', 'booking.expired', keys, now, record_ttl, '')
    free_queue_slot(tag, booking.user_id)
    expired = expired + 1
  else
    -- A stale entry (record gone or already closed): drop it so it is not looked at again.
    redis.call('ZREM', expiry_key, booking_id)
  end
end
return expired
