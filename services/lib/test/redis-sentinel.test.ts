import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { replicasLinked, stackReplicas } from "@booking-rush/test-support/redis-topology";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import Redis from "ioredis";
import { closeRedis, createRedis } from "../src/clients/redis";
import { createReplicaTarget } from "../src/clients/replica-target";

const { sentinels, masterName, password } = stackConfig.redis;
if (!sentinels) throw new Error("REDIS_SENTINELS must be set: these tests exercise the Sentinel topology");

const sentinel = new Redis({ ...sentinels[0]!, protocol: 2, lazyConnect: false });
const redis = createRedis(stackConfig.redis, testLogger, "sentinel-test");
// What the durable writes wait for: every replica the Sentinels consider up.
const target = createReplicaTarget(stackConfig.redis, testLogger, 1);
const prefix = `{test:${crypto.randomUUID()}}`;

async function masterAddress(): Promise<string> {
  const [host, port] = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as [string, string];
  return `${host}:${port}`;
}

/** The address the client's connection really goes to, as the server sees it. */
async function connectedAddress(client: Redis): Promise<string> {
  const info = (await client.info("server")) as string;
  const port = info.match(/tcp_port:(\d+)/)?.[1];
  return `127.0.0.1:${port}`;
}

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await closeRedis(redis);
  target.close();
  sentinel.disconnect();
});

describe("Redis through Sentinel (real master, two replicas and three Sentinels)", () => {
  test("discovers the master through the Sentinels and writes to it", async () => {
    await redis.set(`${prefix}:hello`, "world");
    expect(await redis.get(`${prefix}:hello`)).toBe("world");
    expect(await connectedAddress(redis)).toBe(await masterAddress());
    expect(((await redis.call("ROLE")) as unknown[])[0]).toBe("master");
  });

  test("the Sentinels see both replicas and each other", async () => {
    const fields = (await sentinel.call("SENTINEL", "MASTER", masterName)) as string[];
    const master = Object.fromEntries(fields.flatMap((value, index) => (index % 2 === 0 ? [[value, fields[index + 1]]] : [])));
    expect(master["num-slaves"]).toBe(String(stackReplicas));
    expect(master["num-other-sentinels"]).toBe("2");
    expect(Number(master.quorum)).toBe(2);
    // Both are up, so a write is acknowledged only once both have it.
    expect(await target.required()).toBe(stackReplicas);
  });

  test("survives a forced failover: the client follows the new master, acknowledged writes survive", async () => {
    const before = await masterAddress();
    // A write is acknowledged only once every replica that is up has it (WAIT), as the reservation
    // path does. With WAIT 1 and two replicas this lost acknowledged writes: the Sentinels promoted
    // the other replica, and the old master acknowledged through the one still attached to it.
    const acknowledged: string[] = [];
    let failures = 0;
    const writeOnce = async (index: number) => {
      const key = `${prefix}:write:${index}`;
      try {
        const required = await target.required();
        await redis.set(key, String(index));
        const replicas = (await redis.call("WAIT", required, 500)) as number;
        if (replicas >= required) acknowledged.push(key);
      } catch {
        // Refused while the failover runs (no master, or a new master whose replica has not synced yet).
        failures += 1;
        await Bun.sleep(25);
      }
    };

    for (let index = 0; index < 20; index += 1) await writeOnce(index);
    expect(acknowledged).toHaveLength(20);

    expect(await sentinel.call("SENTINEL", "FAILOVER", masterName)).toBe("OK");
    const after = await eventually(
      async () => {
        const address = await masterAddress();
        if (address === before) throw new Error(`master is still ${before}`);
        return address;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

    // Keep writing through the same client until it lands on the new master; bounded in count and time.
    const deadline = Date.now() + 30_000;
    let index = 20;
    while (Date.now() < deadline && index < 2_000) {
      await writeOnce(index);
      index += 1;
      if (acknowledged.includes(`${prefix}:write:${index - 1}`) && (await connectedAddress(redis)) === after) break;
    }
    expect(await connectedAddress(redis)).toBe(after);
    expect(((await redis.call("ROLE")) as unknown[])[0]).toBe("master");

    // Every acknowledged write is on the new master, read directly, not through the client under test.
    const [host, port] = after.split(":");
    const direct = new Redis({ host, port: Number(port), password, protocol: 2 });
    try {
      const values = await direct.mget(...acknowledged);
      expect(values.filter((value) => value === null)).toHaveLength(0);
    } finally {
      direct.disconnect();
    }
    expect(acknowledged.length).toBeGreaterThan(20);
    testLogger.warn("failover", { failures, writes: index });
  });

  test("the old master comes back as a replica of the new one", async () => {
    await eventually(
      async () => {
        const fields = (await sentinel.call("SENTINEL", "MASTER", masterName)) as string[];
        expect(fields[fields.indexOf("num-slaves") + 1]).toBe(String(stackReplicas));
        await replicasLinked(sentinel);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });
});
