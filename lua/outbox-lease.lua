-- outbox-lease: takes or renews the lease that makes one relay the only sender of an event's
-- outbox, so the event's messages reach Kafka in the order the scripts wrote them even with
-- several relay replicas. A relay that dies simply stops renewing; the lease runs out and another
-- relay takes the event over (and claims the dead relay's unacknowledged entries).
--
-- KEYS[1] {ev:E}:outbox-lease   string: the holder's consumer name, with a ttl
-- ARGV[1] the relay's consumer name   ARGV[2] lease length in ms
-- returns 1 when the caller now holds the lease for ARGV[2] ms, 0 when another relay holds it

local lease_key = KEYS[1]
local consumer_name, lease_ms = ARGV[1], tonumber(ARGV[2])

local holder = redis.call('GET', lease_key)
if holder and holder ~= consumer_name then return 0 end
redis.call('SET', lease_key, consumer_name, 'PX', lease_ms)
return 1
