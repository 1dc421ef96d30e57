-- rebuild-zones: the reconciler's rebuild of an event's zones that Redis lost (keys missing, or
-- its sequence behind PostgreSQL's), from PostgreSQL's record, under the lock's fencing token; the
-- last step, after restore-bookings.lua put back the live bookings Redis lacked. It writes the event
-- hash when it is gone, moves the restored holds into the expiry set (from then on the sweeper
-- closes the overdue ones and PostgreSQL hears of it), then writes each zone's counters and
-- seats. PostgreSQL wins for sold; every hold Redis has (restored or never projected) is kept and
-- counted as reserved. The zone's seq becomes
-- the highest one PostgreSQL has seen, so later events continue after it. The holds are counted in
-- one walk of the event's expiry set for all the zones, not one walk per zone. Who waits is the
-- zone's waitlist as restore-bookings.lua left it (the places restored and any Redis still had):
-- waitlisted is its size, waitlist_seq its last ticket (or the zone's last one, if higher), so a
-- place taken later queues behind every restored one. Last, as every script that gives seats
-- back, each rebuilt zone with free seats and buyers waiting promotes them (_waitlist.lua's
-- promote_waitlist: join order, seq + 1 and booking.promoted each, none while the sale is closed):
-- a hold Redis lost before PostgreSQL heard of it leaves its seats free, and they must not wait
-- for the next seat that comes back.
--
-- KEYS[1] {ev:E}:event   KEYS[2] {ev:E}:fence   KEYS[3] {ev:E}:expiry   KEYS[4] {ev:E}:restoring
-- KEYS[5] {ev:E}:user-tickets   KEYS[6] {ev:E}:outbox
-- ARGV[1] tag {ev:E}   ARGV[2] fencing token
-- ARGV[3] JSON {event: {status, tenant_id, opens_at_ms, closes_at_ms, max_per_user, waitlist_limit, min_age},
--   zones: [{id, show_id, kind, total, price, sold, seq, sold_seats: {seat_id: booking_id}, seat_ids: [...]}]}
-- ARGV[4] traceparent ('' when none)
-- returns {'ok', json {zones, reserved: {zone_id: n}, promoted: {zone_id: n}}} | {'error', 'STALE_LOCK', '{}'}
-- (reserved: as rebuilt, before the promotions)
-- Zone, seat, waitlist, booking and zone-list ({ev:E}:zones) keys are derived from the tag (same slot).

-- include: _now.lua
-- include: _booking.lua
-- include: _waitlist.lua
-- include: _fence.lua
-- include: _live-holds.lua

local event_key, fence_key, expiry_key, restoring_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local user_tickets_key, outbox_key = KEYS[5], KEYS[6]
local tag, token, truth_json, traceparent = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

if not fence_holds(fence_key, token) then return { 'error', 'STALE_LOCK', '{}' } end
local truth = cjson.decode(truth_json)

if redis.call('EXISTS', event_key) == 0 then
  local event = truth.event
  redis.call('HSET', event_key, 'status', event.status, 'tenant_id', event.tenant_id, 'opens_at_ms', event.opens_at_ms,
    'closes_at_ms', event.closes_at_ms, 'max_per_user', event.max_per_user, 'waitlist_limit', event.waitlist_limit,
    'min_age', event.min_age)
end

local restored = redis.call('HGETALL', restoring_key)
for index = 1, #restored, 2 do redis.call('ZADD', expiry_key, restored[index + 1], restored[index]) end
redis.call('DEL', restoring_key)

local zone_ids = {}
for _, zone in ipairs(truth.zones) do zone_ids[#zone_ids + 1] = zone.id end
local holds = live_holds_of_zones(tag, expiry_key, zone_ids)

local reserved_by_zone = {}
for _, zone in ipairs(truth.zones) do
  redis.call('SADD', tag .. ':zones', zone.id)
  local zone_key = tag .. ':zone:' .. zone.id
  local reserved, held = holds[zone.id].quantity, holds[zone.id].seats
  local seq = math.max(tonumber(zone.seq), tonumber(redis.call('HGET', zone_key, 'seq') or '0'))
  local waitlist_key = zone_key .. ':waitlist'
  local last_ticket = redis.call('ZRANGE', waitlist_key, -1, -1, 'WITHSCORES')
  local waitlist_seq = math.max(tonumber(last_ticket[2] or '0'), tonumber(redis.call('HGET', zone_key, 'waitlist_seq') or '0'))
  redis.call('DEL', zone_key)
  redis.call('HSET', zone_key, 'show_id', zone.show_id, 'kind', zone.kind, 'total', zone.total, 'price', zone.price,
    'reserved', reserved, 'sold', zone.sold, 'seq', seq, 'waitlisted', redis.call('ZCARD', waitlist_key),
    'waitlist_seq', waitlist_seq)
  if zone.kind == 'assigned' then
    local seats_key = zone_key .. ':seats'
    redis.call('DEL', seats_key)
    for _, seat in ipairs(zone.seat_ids) do
      redis.call('HSET', seats_key, seat, seat_state(seat, zone.sold_seats, held))
      redis.call('HSET', tag .. ':seat-zone', seat, zone.id)
    end
  end
  reserved_by_zone[zone.id] = reserved
end

local promotion_keys = { user_tickets = user_tickets_key, expiry = expiry_key, outbox = outbox_key }
local now, promoted_by_zone = now_ms(), {}
for _, zone in ipairs(truth.zones) do
  promoted_by_zone[zone.id] = promote_waitlist(tag, zone.id, promotion_keys, now, traceparent)
end
return { 'ok', cjson.encode({ zones = #truth.zones, reserved = reserved_by_zone, promoted = promoted_by_zone }) }
