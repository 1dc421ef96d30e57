/** Redis' side of an event's inventory: whether the event is there, and each zone's counters. */
import { pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";

export interface RedisZone {
  total: number;
  reserved: number;
  sold: number;
  /** Bookings waiting in the zone (its `waitlisted` counter). */
  waitlisted: number;
  seq: number;
}

export async function readRedisSide(
  redis: Redis,
  eventId: string,
  zoneIds: string[],
): Promise<{ eventPresent: boolean; zones: Map<string, RedisZone | undefined> }> {
  const keys = eventKeys(eventId);
  const pipeline = redis.pipeline().exists(keys.event);
  for (const zoneId of zoneIds) pipeline.hmget(keys.zone(zoneId), "total", "reserved", "sold", "waitlisted", "seq");
  const replies = await pipelineReplies(pipeline);
  const zones = new Map<string, RedisZone | undefined>();
  zoneIds.forEach((zoneId, index) => {
    const [total, reserved, sold, waitlisted, seq] = replies[index + 1] as (string | null)[];
    zones.set(
      zoneId,
      total === null || seq === null
        ? undefined
        : {
            total: Number(total),
            reserved: Number(reserved ?? 0),
            sold: Number(sold ?? 0),
            waitlisted: Number(waitlisted ?? 0),
            seq: Number(seq),
          },
    );
  });
  return { eventPresent: replies[0] === 1, zones };
}
