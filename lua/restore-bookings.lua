-- restore-bookings: the first part of the reconciler's rebuild of lost zones: a batch of the live
-- bookings PostgreSQL has that Redis lacks (its tickets counted for its user), under the lock's
-- fencing token. The reconciler sends an event's bookings in batches and then runs
-- rebuild-zones.lua: one script for all of them held Redis for seconds on a large event (4.1 s
-- for ~100,000 bookings, long enough for the Sentinels to fail the master over); a waiting place
-- adds two writes to its booking's, so a batch stays as short. A restored hold
-- waits in {ev:E}:restoring (booking -> expires_at_ms), not yet in the expiry set: until
-- rebuild-zones counts it in its zone and moves it there, the sweeper cannot close it against a
-- zone that is not rebuilt yet. A restored waiting place goes back to the end of its zone's
-- waitlist (the reconciler sends them in join order) under the ticket of its waitlist_position,
-- or just after the last one queued when that is higher (a place taken after others had left
-- joined at a smaller position than some before it), and to the zone's waitlisters; rebuild-zones
-- then counts the zone's waitlist. A booking whose record exists is left as it is, so a batch sent
-- twice restores nothing twice.
--
-- KEYS[1] {ev:E}:fence   KEYS[2] {ev:E}:restoring   KEYS[3] {ev:E}:user-tickets
-- ARGV[1] tag {ev:E}   ARGV[2] fencing token
-- ARGV[3] JSON [{booking_id, user_id, event_id, show_id, zone_id, quantity, status, created_at_ms,
--               expires_at_ms, seq, seat_ids?: [...], payment_id?, confirmed_at_ms?,
--               waitlist_position?, hold_ms?}]   (status reserved | confirmed | waitlisted)
-- returns {'ok', json {restored_bookings}} | {'error', 'STALE_LOCK', '{}'}
-- Booking, waitlist and waitlisters keys are derived from the tag (same slot).

-- include: _fence.lua

local fence_key, restoring_key, user_tickets_key = KEYS[1], KEYS[2], KEYS[3]
local tag, token, bookings_json = ARGV[1], ARGV[2], ARGV[3]

if not fence_holds(fence_key, token) then return { 'error', 'STALE_LOCK', '{}' } end

-- The ticket a restored waiting place gets: its position, unless the zone's waitlist already
-- reaches that far (then the next one), so the join order holds whatever the positions.
local function waitlist_ticket(waitlist_key, position)
  local last = redis.call('ZRANGE', waitlist_key, -1, -1, 'WITHSCORES')
  if #last == 0 then return position end
  return math.max(position, tonumber(last[2]) + 1)
end

local restored = 0
for _, booking in ipairs(cjson.decode(bookings_json)) do
  local key = tag .. ':booking:' .. booking.booking_id
  if redis.call('EXISTS', key) == 0 then
    local fields = { 'booking_id', booking.booking_id, 'user_id', booking.user_id, 'event_id', booking.event_id,
      'show_id', booking.show_id, 'zone_id', booking.zone_id, 'quantity', booking.quantity, 'status', booking.status,
      'created_at_ms', booking.created_at_ms, 'expires_at_ms', booking.expires_at_ms, 'seq', booking.seq,
      'seat_ids', table.concat(booking.seat_ids or {}, ',') }
    if booking.payment_id then fields[#fields + 1] = 'payment_id'; fields[#fields + 1] = booking.payment_id end
    if booking.confirmed_at_ms then fields[#fields + 1] = 'confirmed_at_ms'; fields[#fields + 1] = booking.confirmed_at_ms end
    if booking.waitlist_position then
      fields[#fields + 1] = 'waitlist_position'; fields[#fields + 1] = booking.waitlist_position
    end
    if booking.hold_ms then fields[#fields + 1] = 'hold_ms'; fields[#fields + 1] = booking.hold_ms end
    redis.call('HSET', key, unpack(fields))
    if booking.status == 'reserved' then redis.call('HSET', restoring_key, booking.booking_id, booking.expires_at_ms) end
    if booking.status == 'waitlisted' then
      local zone_key = tag .. ':zone:' .. booking.zone_id
      local waitlist_key = zone_key .. ':waitlist'
      redis.call('ZADD', waitlist_key, waitlist_ticket(waitlist_key, booking.waitlist_position), booking.booking_id)
      redis.call('HSET', zone_key .. ':waitlisters', booking.user_id, booking.booking_id)
    end
    redis.call('HINCRBY', user_tickets_key, booking.user_id, booking.quantity)
    restored = restored + 1
  end
end
return { 'ok', cjson.encode({ restored_bookings = restored }) }
