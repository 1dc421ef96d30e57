/**
 * A scrape does no I/O: values that need a dependency are sampled on a timer, the scrape shows the
 * last one and its age (metrics_sample_age_seconds{source}). Checked with a dependency that never
 * answers and with the real Redis, read and then unreachable.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { seriesValue, timedScrape } from "@booking-rush/test-support/metrics-text";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { closeRedis, createRedis } from "../src/clients/redis";
import { infoNumbers, registerRedisMemory } from "../src/clients/redis-memory";
import { createMetrics, Gauge, sampleInBackground } from "../src/metrics";

describe("background samples", () => {
  test("the sampler refreshes on its timer; when the dependency stops answering the scrape is still immediate, with the last value and a growing age", async () => {
    const metrics = createMetrics("sampling-test");
    const gauge = new Gauge({ name: "test_sampled_value", help: "test", registers: [metrics.registry] });
    let reads = 0;
    let answering = true;
    const sampler = sampleInBackground(
      metrics,
      "test_dependency",
      async () => {
        // A dependency that, once down, never answers (the worst case for a scrape-time read).
        if (!answering) await new Promise(() => {});
        reads += 1;
        gauge.set(reads * 10);
      },
      // A scrape that waited for a sample would take the whole timeout: far above the bound below.
      { intervalMs: 50, timeoutMs: 3_000 },
    );
    try {
      // The timer keeps sampling without any scrape.
      await eventually(() => expect(reads).toBeGreaterThanOrEqual(3), { timeoutMs: 5_000 });
      answering = false;
      const last = reads * 10;
      const before = await timedScrape(metrics);
      expect(seriesValue(before.text, "test_sampled_value")).toBe(last);
      // Waits past several timed-out samples: the value stays, its age grows, scrapes stay fast.
      await eventually(
        async () =>
          expect(seriesValue((await timedScrape(metrics)).text, "metrics_sample_age_seconds", 'source="test_dependency"')).toBeGreaterThan(
            0.5,
          ),
        { timeoutMs: 10_000 },
      );
      const during = await timedScrape(metrics);
      expect(during.ms).toBeLessThan(1_000);
      expect(seriesValue(during.text, "test_sampled_value")).toBe(last);
      expect(await sampler.refresh()).toBe(false);
      answering = true;
      expect(await sampler.refresh()).toBe(true);
      expect(seriesValue((await timedScrape(metrics)).text, "metrics_sample_age_seconds", 'source="test_dependency"')).toBeLessThan(0.5);
    } finally {
      metrics.stopSampling();
    }
  });

  test("stopped, a sampler reads nothing more", async () => {
    const metrics = createMetrics("sampling-stop-test");
    let reads = 0;
    sampleInBackground(
      metrics,
      "counting",
      async () => {
        reads += 1;
      },
      { intervalMs: 20 },
    );
    await eventually(() => expect(reads).toBeGreaterThanOrEqual(2), { timeoutMs: 5_000 });
    metrics.stopSampling();
    const stoppedAt = reads;
    await Bun.sleep(150);
    expect(reads).toBeLessThanOrEqual(stoppedAt + 1);
  });

  test("INFO fields are read as numbers, text fields and comments left out", () => {
    const fields = infoNumbers(
      "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n",
    );
    expect(Object.fromEntries(fields)).toEqual({ used_memory: 1_048_576, maxmemory: 0 });
  });

  test("redis_memory_used_bytes / redis_memory_max_bytes come from the real master's INFO, and stay (aging) when Redis is out of reach", async () => {
    const redis = createRedis(stackConfig.redis, testLogger, "redis-memory-test");
    const metrics = createMetrics("redis-memory-test");
    registerRedisMemory(metrics, redis, { intervalMs: 60_000, timeoutMs: 1_000 });
    try {
      expect(await metrics.refreshSamples()).toBe(true);
      const info = infoNumbers(await redis.info("memory"));
      const first = await timedScrape(metrics);
      const used = seriesValue(first.text, "redis_memory_used_bytes")!;
      // The server's own figure moves between two reads; the same order of magnitude is the point.
      expect(used).toBeGreaterThan(100_000);
      expect(Math.abs(used - info.get("used_memory")!) / used).toBeLessThan(0.5);
      expect(seriesValue(first.text, "redis_memory_max_bytes")).toBe(info.get("maxmemory")!);
      await closeRedis(redis);
      expect(await metrics.refreshSamples()).toBe(false);
      // Redis closed: a read now fails at once, so a scrape that read it would fail, not be slow.
      const after = await timedScrape(metrics);
      expect(seriesValue(after.text, "redis_memory_used_bytes")).toBe(used);
      expect(seriesValue(after.text, "metrics_sample_age_seconds", 'source="redis_memory"')).toBeGreaterThanOrEqual(0);
    } finally {
      metrics.stopSampling();
      await closeRedis(redis);
    }
  });
});
