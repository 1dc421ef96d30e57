/**
 * The waiting-room settings the catalog writes into `{ev:E}:queue` (services/lib/src/inventory/keys.ts),
 * written straight into Redis for the booking side's tests, and small readers of the room's state.
 */
import type { Redis } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";

export interface QueueRoom {
  ratePerMinute: number;
  maxActive: number;
  passTtlMs?: number;
  order?: "fifo" | "random";
  paused?: boolean;
  prequeueOpensAtMs?: number;
}

export async function writeQueueRoom(redis: Redis, eventId: string, room: QueueRoom) {
  await redis.hset(eventKeys(eventId).queue, {
    enabled: "1",
    paused: room.paused ? "1" : "0",
    rate_per_minute: room.ratePerMinute,
    max_active: room.maxActive,
    pass_ttl_ms: room.passTtlMs ?? 300_000,
    order: room.order ?? "random",
    prequeue_opens_at_ms: room.prequeueOpensAtMs ?? 0,
  });
}

/** The sale opens now: what time passing would do, without waiting for it. */
export const openSaleNow = (redis: Redis, eventId: string) =>
  redis.hset(eventKeys(eventId).event, "opens_at_ms", String(Date.now() - 1_000));

/** The line in order: user ids, first place first. */
export const lineOf = (redis: Redis, eventId: string) => redis.zrange(eventKeys(eventId).queueLine, "0", "-1");

/** user id → live pass id. */
export const passesOf = (redis: Redis, eventId: string) => redis.hgetall(eventKeys(eventId).queuePass);
