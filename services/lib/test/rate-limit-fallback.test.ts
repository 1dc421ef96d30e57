/**
 * What a rate limit does when Redis cannot count (its buckets cannot be written), per rule: refuse
 * (503, the default), admit uncounted, or count in a per-process bucket. Redis here is a real
 * client whose server does not answer (nothing listens on the port); the refused-write case
 * (NOREPLICAS, replicas paused) is services/catalog/test/write-outage.test.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createLuaScripts, luaDirectory, readLuaScripts } from "../src/clients/lua-scripts";
import { closeRedis, createRedis } from "../src/clients/redis";
import { dependencyOf } from "../src/http/dependency-errors";
import { createRateLimiter, type RateLimitDecision, type RateLimitRule } from "../src/http/rate-limit";

const unreachable = createRedis(
  { ...stackConfig.redis, sentinels: undefined, url: "redis://127.0.0.1:1", commandTimeoutMs: 300 },
  testLogger,
  "rate-limit-fallback",
);
const scripts = createLuaScripts(unreachable, readLuaScripts(luaDirectory));
const observed: RateLimitDecision[] = [];
const limiter = createRateLimiter(scripts, { observe: (_, decision) => observed.push(decision), localBuckets: 2 });

afterAll(() => closeRedis(unreachable));

const subject = (value = crypto.randomUUID()) => ({ kind: "ip", value });
const rule = (whenUnwritable: RateLimitRule["whenUnwritable"], perMinute = 1): RateLimitRule => ({
  name: `test-${crypto.randomUUID()}`,
  perMinute,
  burst: 3,
  whenUnwritable,
});

describe("a rate limit while Redis cannot count", () => {
  test("refuse (the default): the Redis error surfaces, recognised as Redis unavailable (503)", async () => {
    const error = await limiter.check(rule(undefined), [subject()]).catch((caught: unknown) => caught);
    expect(dependencyOf(error)).toBe("redis");
    await expect(limiter.check(rule("refuse"), [subject()])).rejects.toThrow();
  });

  test("admit: every request passes, uncounted, and says so", async () => {
    const admitting = rule("admit");
    const client = subject();
    for (let index = 0; index < 5; index += 1) {
      expect(await limiter.check(admitting, [client])).toEqual({ admitted: true, remaining: 3, retryAfterMs: 0, fallback: "admitted" });
    }
    expect(observed.at(-1)?.fallback).toBe("admitted");
  });

  test("local: the burst, then a refusal that spends nothing, the same arithmetic as the script", async () => {
    const local = rule("local");
    const [address, email, other] = [subject(), { kind: "email", value: "ann@example.com" }, subject()];
    expect((await limiter.check(local, [address, email])).remaining).toBe(2);
    expect((await limiter.check(local, [address, email])).remaining).toBe(1);
    expect(await limiter.check(local, [address, email])).toEqual({ admitted: true, remaining: 0, retryAfterMs: 0, fallback: "local" });
    const refused = await limiter.check(local, [address, email]);
    expect(refused).toMatchObject({ admitted: false, remaining: 0, fallback: "local" });
    // One token a minute: the next one is (almost) a minute away.
    expect(refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    await expect(limiter.take(local, [address, email])).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // The e-mail's bucket is empty whatever the address; the refusal above spent nothing of `other`'s.
    expect((await limiter.check(local, [other, email])).admitted).toBe(false);
    expect((await limiter.check(local, [other])).remaining).toBe(2);
  });

  test("local: tokens refill; at most `localBuckets` buckets are kept, the least recently used dropped", async () => {
    // 60 a minute: a token a second. Four at once: the burst passes, the fourth waits for the refill.
    const fast = rule("local", 60);
    const client = subject();
    const answers = await Promise.all(Array.from({ length: 4 }, () => limiter.check(fast, [client])));
    expect(answers.map((answer) => answer.admitted).sort()).toEqual([false, true, true, true]);
    const refused = answers.find((answer) => !answer.admitted)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await eventually(async () => expect((await limiter.check(fast, [client])).admitted).toBe(true), { timeoutMs: 3_000, intervalMs: 50 });

    const slow = rule("local");
    const [emptied, second, third] = [subject(), subject(), subject()];
    for (let index = 0; index < 3; index += 1) await limiter.check(slow, [emptied]);
    expect((await limiter.check(slow, [emptied])).admitted).toBe(false);
    // Two more buckets push the emptied one out (at most two kept here); it is then full again.
    await limiter.check(slow, [second]);
    await limiter.check(slow, [third]);
    expect((await limiter.check(slow, [emptied])).remaining).toBe(2);
  });
});
