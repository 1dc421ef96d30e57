-- Fragment (`-- include: _live-holds.lua`): the holds Redis has right now for some zones
-- (live_holds_of_zones: zone_id -> {quantity, seats}, in one walk) or one zone (live_holds:
-- quantity, seats), read from the event's expiry set and booking records (expired ones included
-- until the sweeper closes them: their seats are still taken). seats is a seat_id -> 'held:<booking>'
-- table for assigned seats; seat_state then tells what such a seat holds.

local function live_holds_of_zones(tag, expiry_key, zone_ids)
  local holds = {}
  for _, zone_id in ipairs(zone_ids) do holds[zone_id] = { quantity = 0, seats = {} } end
  for _, booking_id in ipairs(redis.call('ZRANGE', expiry_key, 0, -1)) do
    local fields = redis.call('HMGET', tag .. ':booking:' .. booking_id, 'status', 'zone_id', 'quantity', 'seat_ids')
    local zone = holds[fields[2]]
    if fields[1] == 'reserved' and zone then
      zone.quantity = zone.quantity + tonumber(fields[3])
      for seat in string.gmatch(fields[4] or '', '[^,]+') do zone.seats[seat] = 'held:' .. booking_id end
    end
  end
  return holds
end

local function live_holds(tag, expiry_key, zone_id)
  local zone = live_holds_of_zones(tag, expiry_key, { zone_id })[zone_id]
  return zone.quantity, zone.seats
end

-- What a seat of a repaired or rebuilt zone holds: sold (PostgreSQL's sold_seats: seat_id ->
-- booking_id) wins, then a hold Redis has (live_holds' table), else '' (free).
local function seat_state(seat, sold_seats, held)
  if sold_seats[seat] then return 'sold:' .. sold_seats[seat] end
  return held[seat] or ''
end
