-- queue-join: a buyer takes a place in the event's waiting room, or is told the one they have
-- (joining twice keeps the first place; an admitted buyer is told so). Before the sale opens the
-- place is in the pre-queue, ordered once at the opening (see open_line in _queue.lua).
--
-- KEYS[1] {ev:E}:queue        KEYS[2] {ev:E}:event        KEYS[3] {ev:E}:queue-line
-- KEYS[4] {ev:E}:queue-joined KEYS[5] {ev:E}:queue-active KEYS[6] {ev:E}:queue-pass
-- KEYS[7] {ev:E}:queue-state  KEYS[8] {ev:E}:queue-admissions   KEYS[9] {ev:E}:zones
-- ARGV[1] tag {ev:E}   ARGV[2] user_id
-- ARGV[3] seed of the pre-queue's draw (an integer; used only by the call that opens the line)
-- returns {'ok', place json {status, position?, eta_seconds?, pass_id?, pass_expires_at_ms?}}
--       | {'error', code, details json}: NOT_FOUND (no event, or no waiting room), BOOKING_NOT_OPEN
--         (before the pre-queue opens)
-- A closed sale (not published, or past its closing) is answered {status = 'closed'} and takes no one.

-- include: _now.lua
-- include: _queue.lua

local keys = {
  queue = KEYS[1], event = KEYS[2], line = KEYS[3], joined = KEYS[4], active = KEYS[5], pass = KEYS[6],
  state = KEYS[7], admissions = KEYS[8], zones = KEYS[9], tag = ARGV[1],
}
local user_id, seed = ARGV[2], ARGV[3]

local function failure(code, details)
  return { 'error', code, cjson.encode(details or {}) }
end

local window = sale_window(keys.event)
if not window.exists then return failure('NOT_FOUND', { resource = 'event' }) end
local settings = queue_settings(keys.queue)
if not settings.enabled then return failure('NOT_FOUND', { resource = 'queue' }) end
local now = now_ms()
if sale_closed(window, now) then return { 'ok', cjson.encode({ status = 'closed' }) } end
if now < settings.prequeue_opens_at then
  return failure('BOOKING_NOT_OPEN', { reason = 'prequeue_not_open', prequeue_opens_at_ms = settings.prequeue_opens_at })
end

open_line(keys, settings.order, window.opens_at, now, seed)
local view = place_view(keys, settings, window, user_id, now)
if view then return { 'ok', cjson.encode(view) } end

local place = redis.call('HINCRBY', keys.state, 'seq', 1)
redis.call('ZADD', keys.line, place, user_id)
redis.call('HSET', keys.joined, user_id, now)
return { 'ok', cjson.encode(place_view(keys, settings, window, user_id, now)) }
