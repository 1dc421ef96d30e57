-- Fragment (`-- include: _fence.lua`): the fencing-token check of every write made under the
-- reconciler's lock. The token is the lock's fence counter ({ev:E}:fence) as it was when the lock
-- was taken; any later acquisition incremented it, so an old holder's token no longer matches.

local function fence_holds(fence_key, token)
  return tonumber(redis.call('GET', fence_key) or '0') == tonumber(token)
end
