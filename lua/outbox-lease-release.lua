-- outbox-lease-release: a relay that shuts down hands its lease back at once, so another replica
-- takes the event over without waiting for the lease to run out. Only the holder can release it.
--
-- KEYS[1] {ev:E}:outbox-lease
-- ARGV[1] the relay's consumer name
-- returns 1 when the lease was the caller's and is now free, 0 otherwise (changes nothing)

if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
