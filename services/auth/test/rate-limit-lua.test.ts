import { afterAll, describe, expect, test } from "bun:test";
import { closeRedis, createLuaScripts, createRedis, luaDirectory, readLuaScripts, takeRateLimitTokens } from "@booking-rush/lib/clients";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";

/** lua/rate-limit.lua straight against Redis (through Sentinel), without the service around it. */
const redis = createRedis(stackConfig.redis, testLogger, "rate-limit-lua");
const lua = createLuaScripts(redis, readLuaScripts(luaDirectory));
const used: string[] = [];

afterAll(async () => {
  if (used.length > 0) await redis.del(...used);
  await closeRedis(redis);
});

function buckets(count: number) {
  const tag = `{rl:test-${crypto.randomUUID()}}`;
  const keys = Array.from({ length: count }, (_, index) => `${tag}:subject-${index}`);
  used.push(...keys);
  return keys;
}

const take = (keys: string[], burst: number, perMinute: number) => takeRateLimitTokens(lua, { buckets: keys, burst, perMinute });

describe("rate-limit.lua", () => {
  test("serves the burst, then refuses with the time until the next token", async () => {
    const keys = buckets(1);
    expect(await take(keys, 3, 1)).toEqual([1, 0, 2]);
    expect(await take(keys, 3, 1)).toEqual([1, 0, 1]);
    expect(await take(keys, 3, 1)).toEqual([1, 0, 0]);
    const [admitted, retryAfterMs] = await take(keys, 3, 1);
    expect(admitted).toBe(0);
    // One token a minute: the next one is (almost) a minute away.
    expect(retryAfterMs).toBeGreaterThan(59_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // The key expires once the bucket would be full again anyway.
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(170_000);
    expect(ttl).toBeLessThanOrEqual(180_000);
  });

  test("every bucket must have a token; a refusal spends from none of them", async () => {
    const [address, email, other] = buckets(3) as [string, string, string];
    // Empty the e-mail's bucket through another address.
    expect((await take([other, email], 2, 1))[0]).toBe(1);
    expect((await take([other, email], 2, 1))[0]).toBe(1);
    const before = await redis.hgetall(address);
    const refused = await take([address, email], 2, 1);
    expect(refused[0]).toBe(0);
    expect(await redis.hgetall(address)).toEqual(before);
    expect(await redis.exists(address)).toBe(0);
    // The fresh address alone is still full.
    expect(await take([address], 2, 1)).toEqual([1, 0, 1]);
  });

  test("refill: an emptied bucket admits again once retry_after_ms has passed", async () => {
    const keys = buckets(1);
    // 6,000 a minute = one token every 10 ms.
    for (let index = 0; index < 2; index += 1) expect((await take(keys, 2, 6_000))[0]).toBe(1);
    const [admitted, retryAfterMs] = await take(keys, 2, 6_000);
    expect(admitted).toBe(0);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(10);
    await Bun.sleep(retryAfterMs + 2);
    expect((await take(keys, 2, 6_000))[0]).toBe(1);
  });

  test("many concurrent callers: exactly the burst is admitted", async () => {
    const keys = buckets(2);
    const replies = await Promise.all(Array.from({ length: 50 }, () => take(keys, 5, 1)));
    expect(replies.filter(([admitted]) => admitted === 1)).toHaveLength(5);
    expect(replies.filter(([admitted]) => admitted === 0)).toHaveLength(45);
  });
});
