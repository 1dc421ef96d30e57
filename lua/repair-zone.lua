-- repair-zone: the reconciler's repair of a zone whose counts differ from PostgreSQL at the same
-- sequence (drift). PostgreSQL wins for sold (and which seats are sold); the holds Redis has are
-- kept and counted as reserved; Redis is the truth for who waits too (as for holds: PostgreSQL only
-- hears of a join or a leave later), so waitlisted is recounted from the zone's waitlist. Written
-- only by the newest lock holder (fencing token) and only if the zone did not move since it was
-- compared (same seq), so a sale running meanwhile is never overwritten; the next run compares
-- again. The repair itself leaves the seq as it is (nothing new happened). Then, as every script
-- that gives seats back, it promotes (_waitlist.lua's promote_waitlist, its rule): when the
-- repaired zone has free seats and buyers waiting, they get them in join order, each promotion a
-- change of its own (seq + 1, booking.promoted to the outbox), none while the sale is closed.
--
-- KEYS[1] {ev:E}:zone:Z   KEYS[2] {ev:E}:zone:Z:seats   KEYS[3] {ev:E}:fence   KEYS[4] {ev:E}:expiry
-- KEYS[5] {ev:E}:zone:Z:waitlist   KEYS[6] {ev:E}:user-tickets   KEYS[7] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] zone id   ARGV[3] fencing token   ARGV[4] seq the zone was compared at
-- ARGV[5] sold (PostgreSQL)   ARGV[6] JSON of sold seats {seat_id: booking_id} ('{}' for general admission)
-- ARGV[7] traceparent ('' when none)
-- returns {'ok', json {reserved, sold, waitlisted, promoted}} (counts as repaired, before the
-- promotions; promoted: waiting bookings that became holds) | {'error', 'STALE_LOCK', '{}'}
-- | {'error', 'CHANGED', json {seq}}
-- The event's hash and the waiting bookings' records are derived from the tag (same slot).

-- include: _now.lua
-- include: _booking.lua
-- include: _waitlist.lua
-- include: _fence.lua
-- include: _live-holds.lua

local zone_key, seats_key, fence_key, expiry_key, waitlist_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local user_tickets_key, outbox_key = KEYS[6], KEYS[7]
local tag, zone_id, token, compared_seq = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local sold_in_postgres, sold_seats_json, traceparent = tonumber(ARGV[5]), ARGV[6], ARGV[7]

if not fence_holds(fence_key, token) then return { 'error', 'STALE_LOCK', '{}' } end
local seq = redis.call('HGET', zone_key, 'seq')
if seq ~= compared_seq then return { 'error', 'CHANGED', cjson.encode({ seq = tonumber(seq) }) } end

local reserved, held = live_holds(tag, expiry_key, zone_id)
local waitlisted = redis.call('ZCARD', waitlist_key)
redis.call('HSET', zone_key, 'sold', sold_in_postgres, 'reserved', reserved, 'waitlisted', waitlisted)
if redis.call('HGET', zone_key, 'kind') == 'assigned' then
  local sold_seats = cjson.decode(sold_seats_json)
  for _, seat in ipairs(redis.call('HKEYS', seats_key)) do
    redis.call('HSET', seats_key, seat, seat_state(seat, sold_seats, held))
  end
end
local promoted = promote_waitlist(tag, zone_id, { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key },
  now_ms(), traceparent)
return { 'ok', cjson.encode({ reserved = reserved, sold = sold_in_postgres, waitlisted = waitlisted, promoted = promoted }) }
