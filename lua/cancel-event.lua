-- cancel-event: closes a published event's sale in Redis and writes `event.cancelled` to the
-- event's outbox, in one step, so the outbox relay delivers it to Kafka (payments refund 100%).
-- From then on reserve answers BOOKING_NOT_OPEN. Holds and sales already made stay as they are:
-- the refunds and releases follow from the event.
--
-- KEYS[1] {ev:E}:event    KEYS[2] {ev:E}:outbox
-- ARGV[1] event id E   ARGV[2] tenant id   ARGV[3] traceparent ('' when none)
-- returns 1 when the event is now cancelled, 0 when it already was (nothing written)

-- include: _now.lua

local event_key, outbox_key = KEYS[1], KEYS[2]
local event_id, tenant_id, traceparent = ARGV[1], ARGV[2], ARGV[3]

if redis.call('HGET', event_key, 'status') == 'cancelled' then return 0 end
local now = now_ms()
redis.call('HSET', event_key, 'status', 'cancelled', 'cancelled_at_ms', now)
redis.call('XADD', outbox_key, '*',
  'event_id', 'event.cancelled:' .. event_id,
  'type', 'event.cancelled',
  'occurred_at_ms', now,
  'payload', cjson.encode({ event_id = event_id, tenant_id = tenant_id, cancelled_at_ms = now }),
  'traceparent', traceparent)
return 1
