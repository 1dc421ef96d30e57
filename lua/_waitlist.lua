-- Fragment (`-- include: _waitlist.lua`, after _now.lua and _booking.lua): a zone's waitlist.
-- `{ev:E}:zone:Z:waitlist` (zset: booking_id by ticket, the join order) and
-- `{ev:E}:zone:Z:waitlisters` (hash: user_id -> booking_id) are derived from the tag and share its
-- slot; the zone hash counts the waiting bookings (`waitlisted`). Every change bumps the zone's seq.
--
-- The rule (docs/architecture.md#the-waitlist): seats that come back go to the waiting bookings
-- in join order, each one whose quantity fits the seats free at that point; one that does not fit
-- keeps its place (a quantity-2 head waits while a quantity-1 behind it is served). Nothing else can
-- take those seats in between: the script that returns them promotes in the same step.

-- How many waiting bookings one promotion looks at: a bound on the script's time. Quantities are
-- at most max_per_user, so only a zone whose free seats fit none of the first ones stops here.
local promotion_walk_limit = 200

local function waitlist_keys(tag, zone_id)
  local zone_key = tag .. ':zone:' .. zone_id
  return zone_key, zone_key .. ':waitlist', zone_key .. ':waitlisters'
end

-- Takes a waiting booking off its zone's waitlist (promotion, leaving, closing); returns the zone's seq.
local function unlist(tag, booking, user_tickets_key, give_back_tickets)
  local zone_key, waitlist_key, waitlisters_key = waitlist_keys(tag, booking.zone_id)
  redis.call('ZREM', waitlist_key, booking.booking_id)
  if redis.call('HGET', waitlisters_key, booking.user_id) == booking.booking_id then
    redis.call('HDEL', waitlisters_key, booking.user_id)
  end
  redis.call('HINCRBY', zone_key, 'waitlisted', -1)
  if give_back_tickets then
    if redis.call('HINCRBY', user_tickets_key, booking.user_id, -tonumber(booking.quantity)) <= 0 then
      redis.call('HDEL', user_tickets_key, booking.user_id)
    end
  end
  return redis.call('HINCRBY', zone_key, 'seq', 1)
end

-- A waiting booking leaves (the buyer cancels, or the waitlist closes): cancelled, no seats move.
local function close_waiting(tag, booking_key, booking, event_type, keys, now, record_ttl, traceparent)
  booking.seq = unlist(tag, booking, keys.user_tickets, true)
  booking.status = 'cancelled'
  booking.closed_at_ms = now
  redis.call('HSET', booking_key, 'status', 'cancelled', 'closed_at_ms', now, 'seq', booking.seq)
  redis.call('EXPIRE', booking_key, record_ttl)
  emit(keys.outbox, event_type, booking, now, traceparent)
end

-- The free seats of an assigned zone, read once per promotion.
local function free_seats_of(seats_key)
  local free, fields = {}, redis.call('HGETALL', seats_key)
  for index = 1, #fields, 2 do
    if fields[index + 1] == '' then free[#free + 1] = fields[index] end
  end
  return free
end

-- Gives the zone's free seats to its waiting bookings (the rule above); returns how many were
-- promoted. Not while the sale is closed: after the booking window or a cancellation the waiting
-- buyers are told instead (expire.lua closes the waitlists). keys: {user_tickets, expiry, outbox}.
local function promote_waitlist(tag, zone_id, keys, now, traceparent)
  local zone_key, waitlist_key = waitlist_keys(tag, zone_id)
  if redis.call('ZCARD', waitlist_key) == 0 then return 0 end
  local event = redis.call('HMGET', tag .. ':event', 'status', 'opens_at_ms', 'closes_at_ms')
  if event[1] ~= 'published' or now < tonumber(event[2]) or now >= tonumber(event[3]) then return 0 end
  local zone = redis.call('HMGET', zone_key, 'kind', 'total', 'reserved', 'sold')
  local free = tonumber(zone[2]) - tonumber(zone[3]) - tonumber(zone[4])
  local seat_pool, promoted = nil, 0
  for _, booking_id in ipairs(redis.call('ZRANGE', waitlist_key, 0, promotion_walk_limit - 1)) do
    if free <= 0 then break end
    local booking_key = tag .. ':booking:' .. booking_id
    local booking = read_booking(booking_key)
    local quantity = booking and tonumber(booking.quantity)
    if not booking or booking.status ~= 'waitlisted' then
      -- Not a waiting booking any more (cannot happen while every writer goes through here): drop
      -- the entry so it is not looked at again; the count went with the record's last change.
      redis.call('ZREM', waitlist_key, booking_id)
    elseif quantity <= free then
      if zone[1] == 'assigned' then seat_pool = seat_pool or free_seats_of(zone_key .. ':seats') end
      -- The seat map agrees with the counts (every writer changes both in one script); should it
      -- not, the reconciler's repair comes first and promotes after it.
      if seat_pool and #seat_pool < quantity then break end
      booking.seq = unlist(tag, booking, keys.user_tickets, false)
      redis.call('HINCRBY', zone_key, 'reserved', quantity)
      if seat_pool then
        local seats = {}
        for _ = 1, quantity do
          local seat = table.remove(seat_pool)
          redis.call('HSET', zone_key .. ':seats', seat, 'held:' .. booking_id)
          seats[#seats + 1] = seat
        end
        booking.seat_ids = table.concat(seats, ',')
      end
      booking.status = 'reserved'
      booking.promoted_at_ms = now
      booking.expires_at_ms = now + tonumber(booking.hold_ms)
      redis.call('HSET', booking_key, 'status', 'reserved', 'promoted_at_ms', now, 'expires_at_ms', booking.expires_at_ms,
        'seat_ids', booking.seat_ids or '', 'seq', booking.seq)
      redis.call('ZADD', keys.expiry, booking.expires_at_ms, booking_id)
      emit(keys.outbox, 'booking.promoted', booking, now, traceparent)
      free = free - quantity
      promoted = promoted + 1
    end
  end
  return promoted
end

-- Once the sale is over (window closed, or the event cancelled), closes up to `limit` waiting
-- bookings of the event with booking.waitlist_closed, so their buyers are told; returns how many.
local function close_waitlists(tag, keys, now, record_ttl, limit)
  local closed = 0
  for _, zone_id in ipairs(redis.call('SMEMBERS', tag .. ':zones')) do
    if closed >= limit then break end
    local _, waitlist_key = waitlist_keys(tag, zone_id)
    for _, booking_id in ipairs(redis.call('ZRANGE', waitlist_key, 0, limit - closed - 1)) do
      local booking_key = tag .. ':booking:' .. booking_id
      local booking = read_booking(booking_key)
      if booking and booking.status == 'waitlisted' then
        close_waiting(tag, booking_key, booking, 'booking.waitlist_closed', keys, now, record_ttl, '')
        closed = closed + 1
      else
        redis.call('ZREM', waitlist_key, booking_id)
      end
    end
  end
  return closed
end

-- Whether the event's sale is over for good (its waitlists close): cancelled, or the window passed.
local function sale_over(tag, now)
  local event = redis.call('HMGET', tag .. ':event', 'status', 'closes_at_ms')
  return event[1] == 'cancelled' or (event[2] ~= false and now >= tonumber(event[2]))
end
