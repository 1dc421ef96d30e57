-- Fragment shared by reserve, rate-limit and queue-admit (`-- include: _token-bucket.lua`); not a
-- script of its own. A token bucket is a hash {tokens, updated_ms}: it holds at most `burst` tokens, refills at
-- `per_ms` tokens a millisecond, and a missing bucket is a full one. Callers read every bucket they
-- need first and spend only when all of them have a token, so a refusal changes nothing.

-- Tokens in the bucket at `now` (fractional), refill included; nothing is written.
local function bucket_tokens(key, burst, per_ms, now)
  local bucket = redis.call('HMGET', key, 'tokens', 'updated_ms')
  return math.min(burst, (tonumber(bucket[1]) or burst) + (now - (tonumber(bucket[2]) or now)) * per_ms)
end

-- Milliseconds until a bucket holding `tokens` (< 1) has a whole token again.
local function bucket_retry_ms(tokens, per_ms)
  return math.ceil((1 - tokens) / per_ms)
end

-- Spends `count` (default 1) of the bucket's `tokens`; the key lives until the bucket would be full
-- again anyway.
local function bucket_spend(key, tokens, burst, per_ms, now, count)
  redis.call('HSET', key, 'tokens', tostring(tokens - (count or 1)), 'updated_ms', now)
  redis.call('PEXPIRE', key, math.ceil(burst / per_ms))
end
