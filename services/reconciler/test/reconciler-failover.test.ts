/**
 * The reconciler's loop-mode process across a Redis Sentinel failover: passes before it are clean,
 * a failover is forced while the loop runs, and once the roles have settled its next passes
 * succeed again and /readyz reports Redis up (it used to fail every pass with "Connection is
 * closed." until restarted; the cause is covered deterministically in lib's redis-reconnect test).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeRedis, createRedis } from "@booking-rush/lib/clients";
import { reconcilerRunsKey } from "@booking-rush/lib/inventory";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { spawnWorker } from "@booking-rush/test-support/worker-process";
import Redis from "ioredis";

const { sentinels, masterName } = stackConfig.redis;
const sentinel = new Redis({ ...sentinels![0]!, protocol: 2 });
let catalog: CatalogFixture;

async function masterAddress() {
  return ((await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as string[]).join(":");
}

/** The topology is whole: every replica of the master is linked to it. */
async function replicasLinked() {
  const replicas = (await sentinel.call("SENTINEL", "REPLICAS", masterName)) as string[][];
  expect(replicas.length).toBeGreaterThan(0);
  for (const replica of replicas) {
    expect(replica[replica.indexOf("flags") + 1]).toBe("slave");
    expect(replica[replica.indexOf("master-link-status") + 1]).toBe("ok");
  }
}

beforeAll(async () => {
  await eventually(replicasLinked, { timeoutMs: 30_000, intervalMs: 200 });
  catalog = await catalogFixture("reconciler-failover");
});

afterAll(async () => {
  await eventually(replicasLinked, { timeoutMs: 30_000, intervalMs: 200 });
  await catalog.close();
  sentinel.disconnect();
  await closeRedis(master);
});

const master = createRedis(stackConfig.redis, testLogger, "reconciler-failover-test");
/** Runs counted so far, as the loop leaves them in Redis for the booking service to export. */
const runs = async (result: string) => Number(await master.hget(reconcilerRunsKey, result));

describe("reconciler loop across a Redis failover", () => {
  test("a failover forced while the loop runs: the next passes succeed and readiness reports Redis up", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);

    const reconciler = spawnWorker("reconciler/bin/reconciler.ts", {
      DATABASE_URL: catalog.database.url,
      RECONCILER_MODE: "loop",
      RECONCILER_INTERVAL_MS: "1000",
      RECONCILER_EVENT_IDS: sale.event.id,
      LEADER_ELECTION: "redis",
    });
    try {
      const cleanBefore = await runs("clean");
      await reconciler.ready();
      await eventually(async () => expect(await runs("clean")).toBeGreaterThanOrEqual(cleanBefore + 1), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      // The loop's own /metrics has no count of its runs: the booking service exports Redis' one,
      // so a loop-mode reconciler scraped beside it is not counted twice.
      expect(await reconciler.metrics()).not.toContain("reconciler_runs_total");

      const before = await masterAddress();
      expect(await sentinel.call("SENTINEL", "FAILOVER", masterName)).toBe("OK");
      await eventually(async () => expect(await masterAddress()).not.toBe(before), { timeoutMs: 30_000, intervalMs: 100 });
      await eventually(replicasLinked, { timeoutMs: 30_000, intervalMs: 200 });

      // Passes after the roles settled: clean ones keep coming (each reads every zone from the new master).
      const cleanAfterSwitch = await eventually(() => runs("clean"), { timeoutMs: 30_000, intervalMs: 200 });
      await eventually(async () => expect(await runs("clean")).toBeGreaterThanOrEqual(cleanAfterSwitch + 2), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const readiness = await (await fetch(reconciler.url("/readyz"))).json();
      expect(readiness).toMatchObject({ success: true, data: { checks: { redis: "up", postgres: "up" } } });
      expect(reconciler.child.exitCode).toBeNull();
    } finally {
      reconciler.child.kill("SIGTERM");
    }
    expect(await reconciler.child.exited).toBe(0);
  });
});
