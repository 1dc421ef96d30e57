/** The Lua scripts straight against the stack's Redis (through Sentinel), for script tests; every event key a test made is removed at the end. */
import { closeRedis, createLuaScripts, createRedis, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { stackConfig, testLogger } from "./stack-config";

export function luaDirect(name: string) {
  const redis = createRedis(stackConfig.redis, testLogger, name);
  const lua = createLuaScripts(redis, readLuaScripts(luaDirectory));
  const events: string[] = [];
  return {
    redis,
    lua,
    /** Removed, with every key of the event, by close(). */
    track: (eventId: string) => events.push(eventId),
    async close() {
      for (const eventId of events) {
        const keys = await redis.keys(`${eventKeys(eventId).tag}*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.srem(eventRegistryKey, eventId);
      }
      await closeRedis(redis);
    },
  };
}
