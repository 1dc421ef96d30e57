/**
 * Loads an event's inventory into Redis: what publishing an event does (services/catalog).
 * Idempotent: publishing again updates the event's window, limits and waiting-room settings but
 * never resets a zone's reserved/sold counts, a seat's holder or the waiting room's queue.
 */
import type { Redis } from "ioredis";
import { eventKeys, eventRegistryKey, outboxGroup, showEventKey } from "./keys";
import { type QueueSettings, queueSettingsHash } from "./queue-settings";

export interface ZoneInventory {
  id: string;
  kind: "general" | "assigned";
  total: number;
  /** Minor units (e.g. satang), as stored in PostgreSQL. */
  price: number;
  /** Assigned seating: every seat id of the zone. */
  seatIds?: string[];
}

export interface EventInventory {
  id: string;
  tenantId: string;
  opensAt: Date;
  closesAt: Date;
  maxTicketsPerUser: number;
  /** Waitlist places per zone once it cannot serve a request; 0 or absent = no waitlist. */
  waitlistLimit?: number;
  /** The youngest buyer's age in years; 0 or absent = no limit. */
  minAge?: number;
  shows: { id: string; zones: ZoneInventory[] }[];
  /** The waiting room's settings; absent: its hash is left as it is. */
  queue?: QueueSettings;
}

export async function loadEventInventory(redis: Redis, event: EventInventory): Promise<void> {
  const keys = eventKeys(event.id);
  const transaction = redis.multi();
  transaction.hset(keys.event, {
    status: "published",
    tenant_id: event.tenantId,
    opens_at_ms: event.opensAt.getTime(),
    closes_at_ms: event.closesAt.getTime(),
    max_per_user: event.maxTicketsPerUser,
    waitlist_limit: event.waitlistLimit ?? 0,
    min_age: event.minAge ?? 0,
  });
  if (event.queue) transaction.hset(keys.queue, queueSettingsHash(event.queue, event.opensAt));
  for (const show of event.shows) {
    transaction.set(showEventKey(show.id), event.id);
    for (const zone of show.zones) {
      const zoneKey = keys.zone(zone.id);
      transaction.sadd(keys.zones, zone.id);
      transaction.hset(zoneKey, { show_id: show.id, kind: zone.kind, total: zone.seatIds?.length ?? zone.total, price: zone.price });
      for (const counter of ["reserved", "sold", "seq", "waitlisted", "waitlist_seq"]) transaction.hsetnx(zoneKey, counter, 0);
      for (const seatId of zone.seatIds ?? []) {
        transaction.hsetnx(keys.zoneSeats(zone.id), seatId, "");
        transaction.hset(keys.seatZone, seatId, zone.id);
      }
    }
  }
  transaction.sadd(eventRegistryKey, event.id);
  await transaction.exec();
  // The relay's group exists before the first event is written, so no entry predates it.
  await redis.xgroup("CREATE", keys.outbox, outboxGroup, "0", "MKSTREAM").catch((error: Error) => {
    if (!error.message.startsWith("BUSYGROUP")) throw error;
  });
}

/** A live event's waiting-room settings changed (pause, resume, rate): its hash, nothing else. */
export async function writeQueueSettings(redis: Redis, eventId: string, settings: QueueSettings, saleOpensAt: Date): Promise<void> {
  await redis.hset(eventKeys(eventId).queue, queueSettingsHash(settings, saleOpensAt));
}
