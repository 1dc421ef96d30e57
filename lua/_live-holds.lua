-- Fragment (`-- include: _live-holds.lua`): the holds Redis has for one zone right now, read from
-- the event's expiry set and booking records (expired ones included until the sweeper closes
-- them: their seats are still taken). Returns the quantity held and a seat_id -> 'held:<booking>'
-- table for assigned seats; seat_state then tells what such a seat holds.

local function live_holds(tag, expiry_key, zone_id)
  local quantity, seats = 0, {}
  for _, booking_id in ipairs(redis.call('ZRANGE', expiry_key, 0, -1)) do
    local fields = redis.call('HMGET', tag .. ':booking:' .. booking_id, 'status', 'zone_id', 'quantity', 'seat_ids')
    if fields[1] == 'reserved' and fields[2] == zone_id then
      quantity = quantity + tonumber(fields[3])
      for seat in string.gmatch(fields[4] or '', '[^,]+') do seats[seat] = 'held:' .. booking_id end
    end
  end
  return quantity, seats
end

-- What a seat of a repaired or rebuilt zone holds: sold (PostgreSQL's sold_seats: seat_id ->
-- booking_id) wins, then a hold Redis has (live_holds' table), else '' (free).
local function seat_state(seat, sold_seats, held)
  if sold_seats[seat] then return 'sold:' .. sold_seats[seat] end
  return held[seat] or ''
end
