/**
 * `redis_memory_used_bytes` and `redis_memory_max_bytes` of the Redis master this process writes
 * to (the names redis_exporter uses), read from `INFO memory` in the background (source
 * `redis_memory` in metrics_sample_age_seconds), so BookingRushRedisHighMemory has series without
 * an exporter deployed. maxmemory 0 means no limit.
 */
import type { Redis } from "ioredis";
import { Gauge, type Metrics, type SamplingOptions, sampleInBackground } from "../metrics";

/** The `field:value` lines of an INFO reply, as numbers where they are. */
export function infoNumbers(info: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at <= 0 || line.startsWith("#")) continue;
    const value = Number(line.slice(at + 1));
    if (Number.isFinite(value)) fields.set(line.slice(0, at), value);
  }
  return fields;
}

export function registerRedisMemory(metrics: Metrics, redis: Redis, sampling?: SamplingOptions) {
  const registers = [metrics.registry];
  const used = new Gauge({
    name: "redis_memory_used_bytes",
    help: "Memory the Redis master uses (INFO used_memory), sampled in the background",
    registers,
  });
  const max = new Gauge({
    name: "redis_memory_max_bytes",
    help: "The Redis master's maxmemory (0: no limit), sampled in the background",
    registers,
  });
  return sampleInBackground(
    metrics,
    "redis_memory",
    async () => {
      const fields = infoNumbers(await redis.info("memory"));
      const usedMemory = fields.get("used_memory");
      if (usedMemory === undefined) throw new Error("INFO memory has no used_memory");
      used.set(usedMemory);
      max.set(fields.get("maxmemory") ?? 0);
    },
    sampling,
  );
}
