-- Fragment shared by the waiting-room scripts (`-- include: _queue.lua`); not a script of its own.
-- Scripts including it include _now.lua too (a fragment cannot include another). Zone keys are
-- derived from the tag and the event's zone list ({ev:E}:zones), in the tag's slot.
--
-- `keys` below is a table naming the event's waiting-room keys: queue (settings), event, line,
-- active, pass, state, admissions, zones, and `tag`.

-- The catalog's settings ({ev:E}:queue), with the defaults of a field it did not write.
local function queue_settings(queue_key)
  local fields = redis.call('HMGET', queue_key, 'enabled', 'paused', 'rate_per_minute', 'max_active', 'pass_ttl_ms', 'order',
    'prequeue_opens_at_ms')
  return {
    enabled = fields[1] == '1',
    paused = fields[2] == '1',
    rate_per_minute = tonumber(fields[3]) or 60,
    max_active = tonumber(fields[4]) or 1000,
    pass_ttl_ms = tonumber(fields[5]) or 300000,
    order = (fields[6] == 'fifo') and 'fifo' or 'random',
    prequeue_opens_at = tonumber(fields[7]) or 0,
  }
end

-- The sale's window: no waiting after it closes, the line opens at opens_at.
local function sale_window(event_key)
  local event = redis.call('HMGET', event_key, 'status', 'opens_at_ms', 'closes_at_ms')
  return {
    exists = event[1] ~= false,
    published = event[1] == 'published',
    opens_at = tonumber(event[2]) or 0,
    closes_at = tonumber(event[3]) or 0,
  }
end

local function sale_closed(window, now)
  return not window.published or now >= window.closes_at
end

-- Orders the pre-queue once: by the first script that runs at or after the opening (atomic, so
-- exactly once). Order random: a permutation drawn with the caller's seed (Fisher-Yates), so
-- arriving a millisecond early buys nothing; fifo: the arrival order stays. Places are 1..n either
-- way and later arrivals take the next place behind them. Returns whether the line is open.
local function open_line(keys, order, opens_at, now, seed)
  if redis.call('HGET', keys.state, 'opened') == '1' then return true end
  if now < opens_at then return false end
  if order == 'random' then
    local members = redis.call('ZRANGE', keys.line, 0, -1)
    math.randomseed(tonumber(seed))
    for index = #members, 2, -1 do
      local other = math.random(index)
      members[index], members[other] = members[other], members[index]
    end
    -- In slices: unpack is bounded by Lua's stack.
    for first = 1, #members, 500 do
      local places = {}
      for index = first, math.min(first + 499, #members) do
        places[#places + 1] = index
        places[#places + 1] = members[index]
      end
      redis.call('ZADD', keys.line, 'XX', unpack(places))
    end
    local seq = tonumber(redis.call('HGET', keys.state, 'seq') or '0')
    if seq < #members then redis.call('HSET', keys.state, 'seq', #members) end
  end
  redis.call('HSET', keys.state, 'opened', '1')
  return true
end

-- Seats the event has left to sell (available) and on hold (held), over its zones; nil when the
-- zone list is unknown (an event loaded before the list existed): then nothing is called sold out.
local function event_stock(keys)
  local zone_ids = redis.call('SMEMBERS', keys.zones)
  if #zone_ids == 0 then return nil, nil end
  local available, held = 0, 0
  for _, zone_id in ipairs(zone_ids) do
    local zone = redis.call('HMGET', keys.tag .. ':zone:' .. zone_id, 'total', 'reserved', 'sold')
    local total, reserved, sold = tonumber(zone[1]) or 0, tonumber(zone[2]) or 0, tonumber(zone[3]) or 0
    available = available + total - reserved - sold
    held = held + reserved
  end
  return available, held
end

-- Admissions a millisecond over the last minute's batches: the oldest batch opens the window and is
-- not counted in it. nil until there are two batches to measure between.
local function measured_rate(admissions_key, now)
  local batches = redis.call('ZRANGE', admissions_key, 0, -1, 'WITHSCORES')
  if #batches < 4 then return nil end
  local first_ms = tonumber(batches[2])
  if now <= first_ms then return nil end
  local admitted = 0
  for index = 3, #batches, 2 do admitted = admitted + tonumber(string.match(batches[index], ':(%d+)$')) end
  return admitted / (now - first_ms)
end

-- What a buyer is told about their place (queue-join and queue-status answer alike): a table for
-- cjson ({status, position?, eta_seconds?, pass_id?, pass_expires_at_ms?}), nil when the buyer holds
-- no place and no pass.
local function place_view(keys, settings, window, user_id, now)
  if sale_closed(window, now) then return { status = 'closed' } end
  local pass_id = redis.call('HGET', keys.pass, user_id)
  if pass_id then
    local expires_at = tonumber(redis.call('ZSCORE', keys.active, user_id))
    if expires_at and expires_at > now then
      return { status = 'admitted', eta_seconds = 0, pass_id = pass_id, pass_expires_at_ms = expires_at }
    end
  end
  local rank = redis.call('ZRANK', keys.line, user_id)
  if not rank then return nil end
  local position = rank + 1
  local available, held = event_stock(keys)
  if available == 0 and held == 0 then return { status = 'sold_out', position = position } end
  local opened = redis.call('HGET', keys.state, 'opened') == '1'
  local ahead = position
  if not opened and settings.order == 'random' then
    -- The place is drawn at the opening: no position yet, and the ETA of an average draw.
    position = nil
    ahead = (redis.call('ZCARD', keys.line) + 1) / 2
  end
  if settings.paused then return { status = 'waiting', position = position } end
  local per_ms = measured_rate(keys.admissions, now) or settings.rate_per_minute / 60000
  if per_ms <= 0 then return { status = 'waiting', position = position } end
  local wait_ms = ahead / per_ms
  if not opened then wait_ms = wait_ms + math.max(0, window.opens_at - now) end
  return { status = 'waiting', position = position, eta_seconds = math.ceil(wait_ms / 1000) }
end
