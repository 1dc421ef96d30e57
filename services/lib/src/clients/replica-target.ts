/**
 * How many replicas a write must reach before it is acknowledged (`WAIT <n>`): every replica the
 * Sentinels consider up, and at least `minimum`.
 *
 * Why not simply WAIT 1: with two replicas, a write that one replica acknowledged can be lost in a
 * failover. The Sentinels may promote the other replica; and until they move the first one over,
 * the old master goes on acknowledging writes through it that the new master never sees
 * (services/lib/test/redis-sentinel.test.ts lost 10 to 160 acknowledged writes of a forced
 * failover that way). Waiting for every replica that is up means that whichever one is promoted
 * has every acknowledged write, and that an old master left with fewer replicas acknowledges
 * nothing. A replica the Sentinels have marked down (down-after-milliseconds) is no longer waited
 * for, so losing one node holds writes back only until it is noticed.
 *
 * Without Sentinels (a direct REDIS_URL), or with `minimum` 0 (no waiting asked for), it is `minimum`.
 */
import Redis from "ioredis";
import type { Logger } from "../logger";
import type { RedisConfig } from "../settings";

export interface ReplicaTarget {
  /** The number to WAIT for; the first call waits for the first look at the Sentinels. */
  required(): Promise<number>;
  close(): void;
}

/** A replica counts unless the Sentinels flag it down or disconnected. */
const isUp = (flags: string) => !flags.split(",").some((flag) => flag === "s_down" || flag === "o_down" || flag === "disconnected");

export function createReplicaTarget(config: RedisConfig, logger: Logger, minimum: number, refreshMs = 1_000): ReplicaTarget {
  if (!config.sentinels || minimum === 0) return { required: async () => minimum, close() {} };
  const sentinels = config.sentinels.map(
    (address) =>
      new Redis({
        ...address,
        password: config.sentinelPassword,
        protocol: 2,
        lazyConnect: true,
        connectionName: "replica-target",
        commandTimeout: config.commandTimeoutMs,
        connectTimeout: config.commandTimeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
      }),
  );
  for (const sentinel of sentinels) sentinel.on("error", () => {});
  let up = minimum;
  let refreshing = false;
  let failures = 0;

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      for (const sentinel of sentinels) {
        try {
          const replicas = (await sentinel.call("SENTINEL", "REPLICAS", config.masterName)) as string[][];
          up = replicas.filter((fields) => isUp(fields[fields.indexOf("flags") + 1] ?? "")).length;
          failures = 0;
          return;
        } catch {
          // The next Sentinel may answer.
        }
      }
      // Kept as last seen: the writes themselves fail while Redis is unreachable anyway.
      failures += 1;
      if (failures % 30 === 1) logger.warn("no Sentinel answers; writes keep waiting for the replicas last seen up", { replicas: up });
    } finally {
      refreshing = false;
    }
  }

  const first = refresh();
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref?.();
  return {
    async required() {
      await first;
      return Math.max(minimum, up);
    },
    close() {
      clearInterval(timer);
      for (const sentinel of sentinels) sentinel.disconnect();
    },
  };
}
