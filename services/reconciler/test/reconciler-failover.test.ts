/**
 * The reconciler's loop-mode process across a Redis Sentinel failover: passes before it are clean,
 * a failover is forced while the loop runs, and once the roles have settled its next passes
 * succeed again and /readyz reports Redis up (it used to fail every pass with "Connection is
 * closed." until restarted; the cause is covered deterministically in lib's redis-reconnect test).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { type CatalogFixture, catalogFixture, draftWithZones } from "../../catalog/test/support/catalog-fixture";
import { eventually } from "../../lib/test/support/eventually";
import { stackConfig } from "../../lib/test/support/stack-config";
import { spawnWorker } from "../../lib/test/support/worker-process";

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
});

const runs = (metrics: string, result: string) => Number(metrics.match(new RegExp(`^reconciler_runs_total\\{result="${result}"[^}]*\\} (\\d+)`, "m"))?.[1] ?? 0);

describe("reconciler loop across a Redis failover", () => {
  test("a failover forced while the loop runs: the next passes succeed and readiness reports Redis up", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);

    const reconciler = spawnWorker("reconciler/main.ts", {
      DATABASE_URL: catalog.database.url,
      RECONCILER_MODE: "loop",
      RECONCILER_INTERVAL_MS: "1000",
      RECONCILER_EVENT_IDS: sale.event.id,
      LEADER_ELECTION: "redis",
    });
    try {
      await reconciler.ready();
      await eventually(async () => expect(runs(await reconciler.metrics(), "clean")).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000, intervalMs: 200 });

      const before = await masterAddress();
      expect(await sentinel.call("SENTINEL", "FAILOVER", masterName)).toBe("OK");
      await eventually(async () => expect(await masterAddress()).not.toBe(before), { timeoutMs: 30_000, intervalMs: 100 });
      await eventually(replicasLinked, { timeoutMs: 30_000, intervalMs: 200 });

      // Passes after the roles settled: clean ones keep coming (each reads every zone from the new master).
      const cleanAfterSwitch = runs(await reconciler.metrics(), "clean");
      await eventually(async () => expect(runs(await reconciler.metrics(), "clean")).toBeGreaterThanOrEqual(cleanAfterSwitch + 2), { timeoutMs: 30_000, intervalMs: 200 });
      const readiness = await (await fetch(reconciler.url("/readyz"))).json();
      expect(readiness).toMatchObject({ success: true, data: { checks: { redis: "up", postgres: "up" } } });
      expect(reconciler.child.exitCode).toBeNull();
    } finally {
      reconciler.child.kill("SIGTERM");
    }
    expect(await reconciler.child.exited).toBe(0);
  });
});
