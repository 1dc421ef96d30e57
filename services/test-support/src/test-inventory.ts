/**
 * Sales loaded straight into Redis for tests, and their removal: every key of an event and its
 * entry in the registry, so no other test's sweeper, admitter or reconciler meets them.
 */
import { type EventInventory, eventKeys, eventRegistryKey, loadEventInventory, type ZoneInventory } from "@booking-rush/lib/inventory";
import type { Redis } from "ioredis";

/**
 * A published sale of one show with these zones, loaded as the catalog would: open since a minute,
 * for an hour, 4 tickets per buyer unless `event` says otherwise; unique ids.
 */
export async function loadTestSale(
  redis: Redis,
  zones: Omit<ZoneInventory, "id">[],
  event: Partial<Omit<EventInventory, "id" | "shows">> = {},
): Promise<EventInventory> {
  const inventory: EventInventory = {
    id: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    ...event,
    shows: [{ id: crypto.randomUUID(), zones: zones.map((zone) => ({ id: crypto.randomUUID(), ...zone })) }],
  };
  await loadEventInventory(redis, inventory);
  return inventory;
}

/** Every key of these events out of Redis, and the events out of the registry. */
export async function forgetEvents(redis: Redis, eventIds: Iterable<string>) {
  for (const eventId of eventIds) {
    const keys = await redis.keys(`${eventKeys(eventId).tag}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.srem(eventRegistryKey, eventId);
  }
}
