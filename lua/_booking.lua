-- Fragment shared by reserve, confirm, release and expire (`-- include: _booking.lua`); not a
-- script of its own. Keys it derives from the event tag (`{ev:E}:zone:Z`, `…:seats`) share the
-- tag's slot with the script's declared keys, so the scripts stay single-slot under Cluster.
-- Scripts including it include _now.lua too (a fragment cannot include another).

local function read_booking(booking_key)
  local fields = redis.call('HGETALL', booking_key)
  if #fields == 0 then return nil end
  local booking = {}
  for index = 1, #fields, 2 do booking[fields[index]] = fields[index + 1] end
  return booking
end

local function split_seats(list)
  local seats = {}
  for seat in string.gmatch(list or '', '[^,]+') do seats[#seats + 1] = seat end
  return seats
end

local function failure(code, details)
  return { 'error', code, cjson.encode(details or {}) }
end

-- What callers are told about a booking; also the body of its outbox events.
local function booking_view(booking)
  local view = {
    booking_id = booking.booking_id,
    user_id = booking.user_id,
    event_id = booking.event_id,
    show_id = booking.show_id,
    zone_id = booking.zone_id,
    quantity = tonumber(booking.quantity),
    status = booking.status,
    created_at_ms = tonumber(booking.created_at_ms),
    expires_at_ms = tonumber(booking.expires_at_ms),
    seq = tonumber(booking.seq),
  }
  local seats = split_seats(booking.seat_ids)
  if #seats > 0 then view.seat_ids = seats end
  if booking.payment_id and booking.payment_id ~= '' then view.payment_id = booking.payment_id end
  if booking.confirmed_at_ms then view.confirmed_at_ms = tonumber(booking.confirmed_at_ms) end
  if booking.closed_at_ms then view.closed_at_ms = tonumber(booking.closed_at_ms) end
  if booking.waitlist_position then view.waitlist_position = tonumber(booking.waitlist_position) end
  if booking.promoted_at_ms then view.promoted_at_ms = tonumber(booking.promoted_at_ms) end
  return view
end

-- The event id is derived from booking and type: each booking has at most one event of each type,
-- and a re-run can never mint a second id for the same fact. payload_json: the booking's view
-- already encoded by the caller (reserve encodes it once for three uses), else encoded here.
local function emit(outbox_key, event_type, booking, now, traceparent, payload_json)
  redis.call('XADD', outbox_key, '*',
    'event_id', event_type .. ':' .. booking.booking_id,
    'type', event_type,
    'occurred_at_ms', now,
    'seq', booking.seq,
    'zone_id', booking.zone_id,
    'payload', payload_json or cjson.encode(booking_view(booking)),
    'traceparent', traceparent or '')
end

-- The buyer's waiting-room slot is used up once they bought, cancelled or let their hold expire:
-- their pass is no longer the live one (reserve refuses it) and the admitter may admit the next
-- buyer. No-ops without a waiting room.
local function free_queue_slot(tag, user_id)
  redis.call('HDEL', tag .. ':queue-pass', user_id)
  redis.call('ZREM', tag .. ':queue-active', user_id)
end

-- Gives a live booking's seats back to its zone, closes it with final_status and writes the event.
local function close_booking(tag, booking_key, booking, final_status, event_type, keys, now, record_ttl, traceparent)
  local zone_key = tag .. ':zone:' .. booking.zone_id
  local quantity = tonumber(booking.quantity)
  local bucket = 'reserved'
  if booking.status == 'confirmed' then bucket = 'sold' end
  redis.call('HINCRBY', zone_key, bucket, -quantity)
  booking.seq = redis.call('HINCRBY', zone_key, 'seq', 1)
  for _, seat in ipairs(split_seats(booking.seat_ids)) do
    redis.call('HSET', zone_key .. ':seats', seat, '')
  end
  if redis.call('HINCRBY', keys.user_tickets, booking.user_id, -quantity) <= 0 then
    redis.call('HDEL', keys.user_tickets, booking.user_id)
  end
  redis.call('ZREM', keys.expiry, booking.booking_id)
  booking.status = final_status
  booking.closed_at_ms = now
  redis.call('HSET', booking_key, 'status', final_status, 'closed_at_ms', now, 'seq', booking.seq)
  redis.call('EXPIRE', booking_key, record_ttl)
  emit(keys.outbox, event_type, booking, now, traceparent)
end
