-- outbox-lease-release: a relay that shuts down hands its lease back at once, so another replica
-- takes the event over without waiting for the lease to run out. Only the holder can release it.
--
-- KEYS[1] {ev:E}:outbox-lease
-- ARGV[1] the relay's consumer name
-- returns 1 when the lease was the caller's and is now free, 0 otherwise (changes nothing)

local lease_key = KEYS[1]
local consumer_name = ARGV[1]

if redis.call('GET', lease_key) ~= consumer_name then return 0 end
redis.call('DEL', lease_key)
return 1
