/** The Lua scripts straight against the stack's Redis (through Sentinel), for script tests; every event key a test made is removed at the end. */
import { closeRedis, createLuaScripts, createRedis, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { type EventInventory, eventKeys, type ZoneInventory } from "@booking-rush/lib/inventory";
import { stackConfig, testLogger } from "./stack-config";
import { forgetEvents, loadTestSale } from "./test-inventory";

export function luaDirect(name: string) {
  const redis = createRedis(stackConfig.redis, testLogger, name);
  const lua = createLuaScripts(redis, readLuaScripts(luaDirectory));
  const events: string[] = [];
  return {
    redis,
    lua,
    /** Removed, with every key of the event, by close(). */
    track: (eventId: string) => events.push(eventId),
    /**
     * A published sale of one show and one zone, loaded as the catalog would (open since a minute,
     * for an hour, 4 tickets per buyer unless `event` says otherwise) and tracked.
     */
    async publish(zone: Omit<ZoneInventory, "id">, event: Partial<Omit<EventInventory, "id" | "shows">> = {}) {
      const inventory = await loadTestSale(redis, [zone], event);
      events.push(inventory.id);
      const show = inventory.shows[0]!;
      return { eventId: inventory.id, showId: show.id, zoneId: show.zones[0]!.id, keys: eventKeys(inventory.id) };
    },
    async close() {
      await forgetEvents(redis, events);
      await closeRedis(redis);
    },
  };
}
