/** Leader election over Redlock, against the local stack's three lock servers. */
import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stack } from "@booking-rush/test-support/stack";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createLeadership } from "../src/clients/leadership";
import { createLocks } from "../src/clients/locks";
import { leaderElectionSettings } from "../src/clients/process-leadership";
import { closeRedis, createRedis } from "../src/clients/redis";
import { loadConfig } from "../src/config";

const redis = createRedis(stackConfig.redis, testLogger, "leadership-test");
const locksOfA = createLocks(stackConfig.redlock, redis, testLogger);
const locksOfB = createLocks(stackConfig.redlock, redis, testLogger);

afterAll(async () => {
  await locksOfA.close();
  await locksOfB.close();
  await closeRedis(redis);
});

describe("leadership (Redlock over three lock servers)", () => {
  test("one replica leads; a leader that stops renewing is replaced after its TTL and does not lead any more", async () => {
    expect(stackConfig.redlock.urls).toHaveLength(3);
    const resource = `leader:test-${crypto.randomUUID()}`;
    const a = createLeadership(locksOfA, resource, { ttlMs: 1_000 }, testLogger);
    const b = createLeadership(locksOfB, resource, { ttlMs: 1_000 }, testLogger);
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    expect(await a.lead()).toBe(true); // renewing
    expect(await b.lead()).toBe(false);

    // A stops renewing (crashed, paused): B takes over once A's lock ran out, and A no longer leads.
    await eventually(async () => expect(await b.lead()).toBe(true), { timeoutMs: 5_000, intervalMs: 100 });
    expect(await a.lead()).toBe(false);
    expect(await b.lead()).toBe(true);

    // Stepping down hands over at once.
    await b.release();
    expect(await a.lead()).toBe(true);
    await a.release();
  });

  test("a lock needs a majority of the servers: with one of three down it is still granted, and still exclusive", async () => {
    const resource = `leader:test-${crypto.randomUUID()}`;
    const leader = createLeadership(locksOfA, resource, { ttlMs: 2_000 }, testLogger);
    const rival = createLeadership(locksOfB, resource, { ttlMs: 2_000 }, testLogger);
    stack("down", "lock-3");
    try {
      expect(await leader.lead()).toBe(true);
      expect(await rival.lead()).toBe(false);
      expect(await locksOfB.held(resource)).toBe(true);
      await leader.release();
      expect(await locksOfB.held(resource)).toBe(false);
    } finally {
      stack("up");
    }
  }, 60_000);

  test("which election a process uses: a Lease inside a cluster, a Redlock outside one, unless told", () => {
    const kind = (env: Record<string, string>) => loadConfig({ leaderElection: leaderElectionSettings }, env).leaderElection.kind;
    expect(kind({ KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toBe("kubernetes");
    expect(kind({})).toBe("redis");
    expect(kind({ LEADER_ELECTION: "redis", KUBERNETES_SERVICE_HOST: "10.0.0.1" })).toBe("redis");
    expect(kind({ LEADER_ELECTION: "kubernetes" })).toBe("kubernetes");
    expect(loadConfig({ leaderElection: leaderElectionSettings }, { POD_NAME: "sweeper-7d9f" }).leaderElection.identity).toBe(
      "sweeper-7d9f",
    );
  });
});
