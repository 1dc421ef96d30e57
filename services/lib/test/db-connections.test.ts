import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createPostgres, registerDbConnectionMetrics } from "../src/clients/postgres";
import { createMetrics } from "../src/metrics";

const pool = createPostgres({ ...stackConfig.postgres, poolMax: 4 }, testLogger);
afterAll(() => pool.close());

const metrics = createMetrics("db-connections-test");
// Sampled in the background; each read below samples now rather than wait for the timer.
registerDbConnectionMetrics(metrics, { intervalMs: 60_000 });
afterAll(() => metrics.stopSampling());

async function gauges() {
  expect(await metrics.refreshSamples()).toBe(true);
  const text = await metrics.registry.metrics();
  const value = (name: string) => {
    const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}{`));
    return line === undefined ? undefined : Number(line.split(" ").pop());
  };
  return { active: value("db_connections_active"), open: value("db_connections_open") };
}

describe("db_connections_active / db_connections_open (real PostgreSQL)", () => {
  test("counts this process's connections that run a statement, and the open ones, as the server sees them", async () => {
    // Two statements held open on two connections of the pool.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const busy = [1, 2].map(() =>
      pool.sql.begin(async (tx) => {
        await tx`select 1`;
        await held;
      }),
    );
    try {
      // The transactions are open once both BEGINs reached the server; the gauge reads the server.
      await eventually(async () => expect((await gauges()).active).toBeGreaterThanOrEqual(2), { timeoutMs: 5_000, intervalMs: 20 });
      const during = await gauges();
      expect(during.open).toBeGreaterThanOrEqual(3); // the two busy ones and the sample's own
    } finally {
      release();
      await Promise.all(busy);
    }
    const after = await gauges();
    expect(after.active).toBeLessThan(2);
    expect(after.open).toBeGreaterThanOrEqual(after.active!);
  });

  test("once the process has closed its pools both read 0", async () => {
    await pool.close();
    expect(await gauges()).toEqual({ active: 0, open: 0 });
  });
});
