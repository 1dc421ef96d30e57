-- Fragment (`-- include: _now.lua`): Redis' own clock in milliseconds, so every replica and every
-- caller agrees on time inside a script (TIME is allowed in scripts since Redis 5's effects
-- replication).

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
