/**
 * A Redis client never gives up for good on its own. ioredis ends a client ("Connection is
 * closed." for every later command) when a reconnect is asked for while it is still connecting
 * through the Sentinels, which a failover does (the failover detector, a READONLY answer); the
 * reconciler's long-lived client stayed dead that way. createRedis connects such a client again.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { closeRedis, createRedis } from "../src/clients/redis";

describe("Redis clients reconnect after ending on their own", () => {
  test("a reconnect asked for while the client is connecting through the Sentinels: the client comes back", async () => {
    const redis = createRedis(stackConfig.redis, testLogger, "reconnect-race-test");
    try {
      expect(await redis.ping()).toBe("PONG");
      // What the failover detector does on +switch-master ...
      redis.disconnect(true);
      await eventually(() => expect(redis.status).toBe("connecting"), { timeoutMs: 5_000, intervalMs: 1 });
      // ... and what a second trigger (READONLY from the demoted master) does while it reconnects.
      redis.disconnect(true);
      await eventually(async () => expect(await redis.ping()).toBe("PONG"), { timeoutMs: 10_000, intervalMs: 50 });
      expect(redis.status).toBe("ready");
    } finally {
      await closeRedis(redis);
    }
  });

  test("a client closed on purpose stays closed", async () => {
    const redis = createRedis(stackConfig.redis, testLogger, "closed-test");
    expect(await redis.ping()).toBe("PONG");
    await closeRedis(redis);
    await Bun.sleep(300); // longer than the first reconnect back-off (100 ms): nothing may reconnect it
    expect(redis.status).toBe("end");
    await expect(redis.ping()).rejects.toThrow("Connection is closed.");
  });
});
