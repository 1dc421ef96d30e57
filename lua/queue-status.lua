-- queue-status: a buyer's place in the event's waiting room, read only (polled; no WAIT needed).
-- Before the opening a random-order place has no position yet (it is drawn at the opening).
--
-- KEYS[1] {ev:E}:queue        KEYS[2] {ev:E}:event        KEYS[3] {ev:E}:queue-line
-- KEYS[4] {ev:E}:queue-active KEYS[5] {ev:E}:queue-pass   KEYS[6] {ev:E}:queue-state
-- KEYS[7] {ev:E}:queue-admissions   KEYS[8] {ev:E}:zones
-- ARGV[1] tag {ev:E}   ARGV[2] user_id
-- returns {'ok', place json {status, position?, eta_seconds?, pass_id?, pass_expires_at_ms?}}
--       | {'error', 'NOT_FOUND', details json}: no event, no waiting room, or no place of the buyer's

-- include: _now.lua
-- include: _queue.lua

local keys = {
  queue = KEYS[1], event = KEYS[2], line = KEYS[3], active = KEYS[4], pass = KEYS[5],
  state = KEYS[6], admissions = KEYS[7], zones = KEYS[8], tag = ARGV[1],
}
local user_id = ARGV[2]

local window = sale_window(keys.event)
if not window.exists then return { 'error', 'NOT_FOUND', cjson.encode({ resource = 'event' }) } end
local settings = queue_settings(keys.queue)
if not settings.enabled then return { 'error', 'NOT_FOUND', cjson.encode({ resource = 'queue' }) } end
local view = place_view(keys, settings, window, user_id, now_ms())
if not view then return { 'error', 'NOT_FOUND', cjson.encode({ resource = 'queue_place' }) } end
return { 'ok', cjson.encode(view) }
