import { afterAll, describe, expect, test } from "bun:test";
import type { Socket } from "node:net";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import IORedis from "ioredis";
import { closeRedis, createRedis, type Redis } from "../src/clients/redis";

const prefix = `{test:${crypto.randomUUID()}}`;
const coalesced = createRedis(stackConfig.redis, testLogger, "coalesced-test");

/**
 * Counts the writes that reach the socket's native side. Every one goes through `_write` (Bun's
 * `_writev` concatenates the corked chunks and hands them to `_write` as one buffer).
 */
function countSocketWrites(client: Redis) {
  type NativeWrite = (this: Socket, ...args: unknown[]) => unknown;
  const socket = (client as unknown as { stream: Socket & { _write: NativeWrite } }).stream;
  const counter = { writes: 0 };
  const original = socket._write;
  socket._write = function (this: Socket, ...args: unknown[]) {
    counter.writes += 1;
    return original.apply(this, args);
  };
  return counter;
}

afterAll(async () => {
  const keys = await coalesced.keys(`${prefix}*`);
  if (keys.length > 0) await coalesced.del(...keys);
  await closeRedis(coalesced);
});

describe("one socket write per event-loop turn (createRedis)", () => {
  test("200 commands sent in one turn leave in a single write, in order, each answered", async () => {
    await coalesced.ping();
    const counter = countSocketWrites(coalesced);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, index) => coalesced.incrby(`${prefix}:counter`, index + 1)));
    // Sent in order: the running sum after each INCRBY.
    expect(replies).toEqual(Array.from({ length: 200 }, (_, index) => ((index + 1) * (index + 2)) / 2));
    expect(counter.writes).toBe(1);
  });

  test("a command sent in a later turn still goes out (nothing waits for a further command)", async () => {
    const counter = countSocketWrites(coalesced);
    await coalesced.set(`${prefix}:later`, "1");
    await new Promise((resolve) => setImmediate(resolve));
    expect(await coalesced.get(`${prefix}:later`)).toBe("1");
    expect(counter.writes).toBe(2);
  });

  test("a plain ioredis client, for comparison, writes each command on its own", async () => {
    // Straight to the configured address (a GET is answered by a replica too, should it be one now).
    const plain = new IORedis(stackConfig.redis.url, { password: stackConfig.redis.password });
    try {
      await plain.ping();
      const counter = countSocketWrites(plain as unknown as Redis);
      await Promise.all(Array.from({ length: 50 }, () => plain.get(`${prefix}:later`)));
      expect(counter.writes).toBe(50);
    } finally {
      plain.disconnect();
    }
  });
});
