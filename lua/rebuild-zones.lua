-- rebuild-zones: the reconciler's rebuild of an event's zones that Redis lost (keys missing, or
-- its sequence behind PostgreSQL's), from PostgreSQL's record, under the lock's fencing token:
-- the event hash when it is gone, every live booking PostgreSQL has that Redis lacks (holds with
-- their expiry, so the sweeper closes the overdue ones and PostgreSQL hears of it; its tickets
-- counted for its user), then each zone's counters and seats. PostgreSQL wins for sold; every hold
-- Redis has (restored or never projected) is kept and counted as reserved. The zone's seq becomes
-- the highest one PostgreSQL has seen, so later events continue after it.
--
-- KEYS[1] {ev:E}:event   KEYS[2] {ev:E}:fence   KEYS[3] {ev:E}:expiry   KEYS[4] {ev:E}:user-tickets
-- ARGV[1] tag {ev:E}   ARGV[2] fencing token
-- ARGV[3] JSON {event: {status, tenant_id, opens_at_ms, closes_at_ms, max_per_user},
--   zones: [{id, show_id, kind, total, price, sold, seq, sold_seats: {seat_id: booking_id}, seat_ids: [...]}],
--   bookings: [{booking_id, user_id, event_id, show_id, zone_id, quantity, status, created_at_ms,
--               expires_at_ms, seq, seat_ids?: [...], payment_id?, confirmed_at_ms?}]}
-- returns {'ok', json {zones, restored_bookings, reserved: {zone_id: n}}} | {'error', 'STALE_LOCK', '{}'}
-- Zone, seat, booking and zone-list ({ev:E}:zones) keys are derived from the tag (same slot).

-- include: _fence.lua
-- include: _live-holds.lua

local event_key, fence_key, expiry_key, user_tickets_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local tag, token, truth_json = ARGV[1], ARGV[2], ARGV[3]

if not fence_holds(fence_key, token) then return { 'error', 'STALE_LOCK', '{}' } end
local truth = cjson.decode(truth_json)

if redis.call('EXISTS', event_key) == 0 then
  local event = truth.event
  redis.call('HSET', event_key, 'status', event.status, 'tenant_id', event.tenant_id, 'opens_at_ms', event.opens_at_ms,
    'closes_at_ms', event.closes_at_ms, 'max_per_user', event.max_per_user)
end

local restored = 0
for _, booking in ipairs(truth.bookings) do
  local key = tag .. ':booking:' .. booking.booking_id
  if redis.call('EXISTS', key) == 0 then
    local fields = { 'booking_id', booking.booking_id, 'user_id', booking.user_id, 'event_id', booking.event_id,
      'show_id', booking.show_id, 'zone_id', booking.zone_id, 'quantity', booking.quantity, 'status', booking.status,
      'created_at_ms', booking.created_at_ms, 'expires_at_ms', booking.expires_at_ms, 'seq', booking.seq,
      'seat_ids', table.concat(booking.seat_ids or {}, ',') }
    if booking.payment_id then fields[#fields + 1] = 'payment_id'; fields[#fields + 1] = booking.payment_id end
    if booking.confirmed_at_ms then fields[#fields + 1] = 'confirmed_at_ms'; fields[#fields + 1] = booking.confirmed_at_ms end
    redis.call('HSET', key, unpack(fields))
    if booking.status == 'reserved' then redis.call('ZADD', expiry_key, booking.expires_at_ms, booking.booking_id) end
    redis.call('HINCRBY', user_tickets_key, booking.user_id, booking.quantity)
    restored = restored + 1
  end
end

local reserved_by_zone = {}
for _, zone in ipairs(truth.zones) do
  redis.call('SADD', tag .. ':zones', zone.id)
  local zone_key = tag .. ':zone:' .. zone.id
  local reserved, held = live_holds(tag, expiry_key, zone.id)
  local seq = math.max(tonumber(zone.seq), tonumber(redis.call('HGET', zone_key, 'seq') or '0'))
  redis.call('DEL', zone_key)
  redis.call('HSET', zone_key, 'show_id', zone.show_id, 'kind', zone.kind, 'total', zone.total, 'price', zone.price,
    'reserved', reserved, 'sold', zone.sold, 'seq', seq)
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
return { 'ok', cjson.encode({ zones = #truth.zones, restored_bookings = restored, reserved = reserved_by_zone }) }
