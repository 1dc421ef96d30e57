-- cancel-event: closes a published event's sale in Redis and writes `event.cancelled` to the
-- event's outbox, in one step, so the outbox relay delivers it to Kafka (payments refund 100%).
-- From then on reserve answers BOOKING_NOT_OPEN. Holds and sales already made stay as they are:
-- the refunds and releases follow from the event.
--
-- KEYS[1] {ev:E}:event    KEYS[2] {ev:E}:outbox
-- ARGV[1] event id E   ARGV[2] tenant id   ARGV[3] traceparent ('' when none)
-- returns 1 when the event is now cancelled, 0 when it already was (nothing written)

if redis.call('HGET', KEYS[1], 'status') == 'cancelled' then return 0 end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelled_at_ms', now)
redis.call('XADD', KEYS[2], '*',
  'event_id', 'event.cancelled:' .. ARGV[1],
  'type', 'event.cancelled',
  'occurred_at_ms', now,
  'payload', cjson.encode({ event_id = ARGV[1], tenant_id = ARGV[2], cancelled_at_ms = now }),
  'traceparent', ARGV[3])
return 1
