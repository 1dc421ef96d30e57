-- rate-limit: one request against one or more token buckets at once (e.g. the client's address
-- and the e-mail it logs in as). The request is admitted only when every bucket has a whole token;
-- then one token is spent from each. A refused request spends nothing, so hammering does not push
-- the retry time further out.
--
-- KEYS[1..n] the buckets, hashes {tokens, updated_ms} (a missing one is full); under Cluster they
--            must share a hash tag, e.g. {rl:login}:ip:<hash> and {rl:login}:email:<hash>
-- ARGV[1] burst (bucket size, >= 1)   ARGV[2] refill per minute (> 0)
-- returns {1, 0, remaining} when admitted, remaining = whole tokens left in the emptiest bucket;
--         {0, retry_after_ms, 0} when refused, retry_after_ms = until every bucket has a token again

-- include: _now.lua
-- include: _token-bucket.lua

local bucket_keys = KEYS
local burst, per_ms = tonumber(ARGV[1]), tonumber(ARGV[2]) / 60000
local now = now_ms()

local levels, retry_ms = {}, 0
for index, key in ipairs(bucket_keys) do
  local tokens = bucket_tokens(key, burst, per_ms, now)
  levels[index] = tokens
  if tokens < 1 then retry_ms = math.max(retry_ms, bucket_retry_ms(tokens, per_ms)) end
end
if retry_ms > 0 then return { 0, retry_ms, 0 } end

local remaining = burst
for index, key in ipairs(bucket_keys) do
  bucket_spend(key, levels[index], burst, per_ms, now)
  remaining = math.min(remaining, math.floor(levels[index] - 1))
end
return { 1, 0, remaining }
