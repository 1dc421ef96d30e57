/**
 * Durable writes on the real topology (master, two replicas, three Sentinels): group commit covers
 * many concurrent scripts with few WAITs and acknowledges each only once every replica has it; a
 * WAIT that cannot reach a replica (one paused with SIGSTOP) fails every write it covered with 503,
 * and the idempotent retry is then acknowledged.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { masterAddress, nodeClient, replicaPauser, replicasLinked, sentinelClient } from "@booking-rush/test-support/redis-topology";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createDurableScripts, NotReplicatedError } from "../src/clients/durable-scripts";
import { readLuaScripts } from "../src/clients/lua-scripts";
import { errorStatus } from "../src/errors";

const sentinel = sentinelClient();
const pauser = replicaPauser();
const scripts = readLuaScripts(`${import.meta.dir}/fixtures/lua`);
const prefix = `{test:${crypto.randomUUID()}}`;
const durable = createDurableScripts(stackConfig.redis, testLogger, scripts, { connections: 2, replicas: 1, waitTimeoutMs: 5_000 });
// Gives up soon: its WAITs must all end before the Sentinels flag a paused replica down (2 s).
const impatient = createDurableScripts(stackConfig.redis, testLogger, scripts, { connections: 2, replicas: 1, waitTimeoutMs: 200 });

const idempotentSet = (key: string, runner = durable) => runner.run<"ok" | "replay">("idempotent-set", [`${prefix}:${key}`], ["1"]);

/** WAIT commands the master has run so far (INFO commandstats). */
async function waitCalls(): Promise<number> {
  const master = nodeClient(await masterAddress(sentinel));
  try {
    const info = (await master.info("commandstats")) as string;
    return Number(info.match(/cmdstat_wait:calls=(\d+)/)?.[1] ?? 0);
  } finally {
    master.disconnect();
  }
}

let replicas: ReturnType<typeof nodeClient>[] = [];

/** How many of `keys` each replica has. */
function onReplicas(keys: string[]): Promise<number[]> {
  return Promise.all(replicas.map((replica) => replica.exists(...keys.map((key) => `${prefix}:${key}`))));
}

beforeAll(async () => {
  const addresses = await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
  replicas = addresses.map(nodeClient);
});
afterAll(async () => {
  pauser.resumeAll();
  await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
  const master = nodeClient(await masterAddress(sentinel));
  const keys = await master.keys(`${prefix}:*`);
  if (keys.length > 0) await master.del(...keys);
  master.disconnect();
  for (const replica of replicas) replica.disconnect();
  await durable.close();
  await impatient.close();
  sentinel.disconnect();
});

describe("durable scripts: group commit for WAIT (real master, two replicas, Sentinels)", () => {
  test("400 concurrent writes are covered by far fewer WAITs, and each is on every replica when acknowledged", async () => {
    const keys = Array.from({ length: 400 }, (_, index) => `many:${index}`);
    const before = await waitCalls();
    const replies = await Promise.all(
      keys.map(async (key) => {
        const reply = await idempotentSet(key);
        // Acknowledged: every replica has it now, not eventually.
        const replica = await onReplicas([key]);
        return { reply, replica };
      }),
    );
    const waits = (await waitCalls()) - before;
    expect(replies.every(({ reply }) => reply === "ok")).toBe(true);
    expect(replies.every(({ replica }) => replica.every((count) => count === 1))).toBe(true);
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThan(keys.length / 4);
  });

  test("a WAIT that cannot reach a replica fails every write it covered with 503; the retry is then acknowledged", async () => {
    const keys = Array.from({ length: 50 }, (_, index) => `unreplicated:${index}`);
    // Its replica target has looked at the Sentinels (two replicas up); retried, as a loaded machine
    // may take longer than its 200 ms for a WAIT even with every replica running.
    await eventually(() => idempotentSet("warm", impatient), { timeoutMs: 10_000, intervalMs: 100 });
    const [paused] = await replicasLinked(sentinel);
    pauser.pause(paused!);
    let outcomes: PromiseSettledResult<"ok" | "replay">[];
    try {
      outcomes = await Promise.allSettled(keys.map((key) => idempotentSet(key, impatient)));
    } finally {
      pauser.resumeAll();
    }
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(NotReplicatedError);
      expect(errorStatus[(error as NotReplicatedError).code]).toBe(503);
    }
    // The master has them (the scripts ran), so the same writes again are replays, acknowledged
    // once the resumed replica caught up: a replay is waited for like a write.
    await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
    const retried = await Promise.all(keys.map((key) => idempotentSet(key)));
    expect(retried.every((reply) => reply === "replay")).toBe(true);
    expect(await onReplicas(keys)).toEqual([keys.length, keys.length]);
  });
});
