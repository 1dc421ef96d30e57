/**
 * The reconciliation policy for one zone, as a pure decision over both sides:
 *
 * | Redis vs PostgreSQL                         | verdict    | action                                   |
 * | keys missing (event or zone)                | lost       | rebuild from PostgreSQL                  |
 * | Redis seq < PostgreSQL's highest seen seq   | behind     | rebuild from PostgreSQL                  |
 * | Redis seq > PostgreSQL watermark            | ahead      | wait for the projector, then report lag  |
 * | same seq, same counts                       | clean      | nothing                                  |
 * | same seq, counts differ                     | drift      | repair: PostgreSQL's sold, Redis' holds  |
 * |                                             |            | and waiting list, then promotion         |
 *
 * The counts are total, reserved, sold and waitlisted (bookings waiting in the zone's waitlist).
 */
import type { PostgresZone } from "./postgres-side";
import type { RedisZone } from "./redis-side";

export type Verdict = "clean" | "drift" | "ahead" | "behind" | "lost";

export function classifyZone(eventPresent: boolean, redis: RedisZone | undefined, postgres: PostgresZone): Verdict {
  if (!eventPresent || !redis) return "lost";
  if (redis.seq < postgres.highestSeq) return "behind";
  if (redis.seq > postgres.appliedSeq) return "ahead";
  const same =
    redis.total === postgres.total &&
    redis.reserved === postgres.reserved &&
    redis.sold === postgres.sold &&
    redis.waitlisted === postgres.waitlisted;
  return same ? "clean" : "drift";
}

/** How far apart the two sides are, in seats and waiting places (the `inventory_discrepancy` gauge). */
export const discrepancy = (redis: RedisZone | undefined, postgres: PostgresZone) =>
  redis
    ? Math.abs(redis.sold - postgres.sold) +
      Math.abs(redis.reserved - postgres.reserved) +
      Math.abs(redis.total - postgres.total) +
      Math.abs(redis.waitlisted - postgres.waitlisted)
    : postgres.sold + postgres.reserved + postgres.waitlisted;
