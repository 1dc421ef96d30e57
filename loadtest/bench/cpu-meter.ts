/**
 * Takes the readings of the benchmark's second table (cpu-report.ts) around one leg: the CPU the
 * API process used (/proc/<pid>/stat), the Redis master (INFO cpu on the Sentinel-resolved
 * connection) and each replica it lists in INFO replication (a direct connection each, for the
 * leg), and the master's INFO commandstats, reset before the leg (CONFIG RESETSTAT). The load
 * generator's CPU is its own rusage, which the leg reports when it has ended (runBounded).
 */
import { readFileSync } from "node:fs";
import { closeRedis, createRedis, type Redis } from "@booking-rush/lib/clients";
import type { RedisConfig } from "@booking-rush/lib/config";
import type { Logger } from "@booking-rush/lib/observability";
import { type LegUsage, parseCommandStats, parseReplicaAddresses, procStatCpuSeconds, redisCpuSeconds } from "./cpu-report";

export interface UsageSources {
  /** The master, through the Sentinels. */
  master: Redis;
  redisConfig: RedisConfig;
  logger: Logger;
}

/** What a leg reports back: requests answered, and its load generator's CPU seconds once it has ended. */
export interface LegTally {
  answered: number;
  loadGeneratorSeconds: number | undefined;
}

/**
 * Runs `run` (one leg) between two readings; `apiPid` is the API process under load (none for
 * redis-benchmark). The replicas are those the master lists when the leg starts.
 */
export async function measureUsage<T extends LegTally>(
  sources: UsageSources,
  name: string,
  apiPid: number | undefined,
  run: () => Promise<T>,
): Promise<{ result: T; usage: LegUsage }> {
  const { master, redisConfig, logger } = sources;
  const replicas = parseReplicaAddresses(String(await master.info("replication"))).map(({ host, port }) => ({
    address: `${host}:${port}`,
    redis: createRedis({ ...redisConfig, sentinels: undefined, url: `redis://${host}:${port}` }, logger, "bench-cpu"),
  }));
  try {
    const read = async () => ({
      api: apiPid === undefined ? undefined : procStatCpuSeconds(readFileSync(`/proc/${apiPid}/stat`, "utf8")),
      master: redisCpuSeconds(String(await master.info("cpu"))),
      replicas: await Promise.all(replicas.map(async (replica) => redisCpuSeconds(String(await replica.redis.info("cpu"))))),
    });
    await master.call("CONFIG", "RESETSTAT");
    const before = await read();
    const result = await run();
    const after = await read();
    const commands = parseCommandStats(String(await master.info("commandstats")));
    return {
      result,
      usage: {
        name,
        answered: result.answered,
        apiSeconds: after.api === undefined || before.api === undefined ? undefined : after.api - before.api,
        loadGeneratorSeconds: result.loadGeneratorSeconds,
        masterSeconds: after.master - before.master,
        replicaSeconds: Object.fromEntries(
          replicas.map((replica, index) => [replica.address, after.replicas[index]! - before.replicas[index]!]),
        ),
        commands,
      },
    };
  } finally {
    await Promise.all(replicas.map((replica) => closeRedis(replica.redis)));
  }
}
