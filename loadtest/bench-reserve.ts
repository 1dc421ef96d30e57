/**
 * The reserve benchmark (run it with `bash loadtest/bench-reserve [api|platform]`, which installs
 * wrk, brings the local stack up and sets the env). In one run, with an external load generator:
 *   (a) the full reserve path: services/all (every API in one process, as scripts/run serves it),
 *       real registered buyers, every request a fresh Idempotency-Key, demand over the sale's zones;
 *   (b) the bare baseline (baseline-reserve-server.ts: Elysia + the same reserve.lua), same wrk
 *       script, same load;
 *   (c) reserve.lua alone in Redis (redis-benchmark EVALSHA on the master, unique ids per call),
 *       pipelined and unpipelined;
 * and prints requests/s, p50, p99, p99.9 and the status mix of each, the ratios, what each leg
 * cost (CPU per answered request of the API process, the load generator, the Redis master and each
 * replica; the master's commandstats), then checks the stores (no oversell, every 201's booking in
 * Redis, nothing lost). Mode `platform` also runs every worker (scripts/platform-workers.txt, as
 * scripts/run does) during (a) and reports how long after the load the outbox is drained and
 * PostgreSQL equals Redis. BENCH_CPU_PROFILE=1 runs (a)'s API process under Bun's CPU profiler and
 * prints its hottest functions. Exit status 1 when a check fails. Every step is bounded in time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { reserveScript } from "@booking-rush/booking/booking-scripts";
import { closeRedis, createPostgres, createRedis, luaDirectory, readLuaScripts, type ScriptArgument } from "@booking-rush/lib/clients";
import { loadConfigOrExit, postgresSettings, redisSettings, settingsGroup } from "@booking-rush/lib/config";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { createLogger } from "@booking-rush/lib/observability";
import { Type } from "@sinclair/typebox";
import { measureUsage } from "./bench/cpu-meter";
import { formatHotFunctions, formatUsageTable, type LegUsage, parseHotFunctions } from "./bench/cpu-report";
import { type Child, exitedChildren, runBounded, startChild, stopAllChildren, stopChild } from "./bench/processes";
import {
  type Check,
  countOfStatus,
  formatChecks,
  formatLegTable,
  formatRatio,
  holdsMatchAnswers,
  type LegResult,
  parseRedisBenchmark,
  parseWrkReport,
} from "./bench/report";
import {
  type Buyer,
  createSaleThroughApi,
  loadRedisOnlySale,
  login,
  registerBuyers,
  removeRedisOnlySale,
  type Sale,
  writeBuyersFile,
} from "./bench/sale";
import { bookingIdsOf, bookingsExist, noOversell, outboxBacklog, postgresAgrees, redisZones, seatsTaken } from "./bench/store";
import { platformWorkers } from "./bench/workers";

const benchSettings = settingsGroup(
  {
    BENCH_SECONDS: Type.Integer({ minimum: 1, maximum: 120, default: 15, description: "Duration of each wrk leg" }),
    BENCH_THREADS: Type.Integer({ minimum: 1, maximum: 8, default: 2, description: "wrk threads" }),
    BENCH_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_000, default: 64, description: "wrk connections" }),
    BENCH_BUYERS: Type.Integer({ minimum: 1, maximum: 50_000, default: 7_500, description: "Buyers registered and logged in" }),
    BENCH_MAX_PER_USER: Type.Integer({ minimum: 1, maximum: 20, default: 20, description: "The sale's max_tickets_per_user" }),
    BENCH_ZONES: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: "Zones of the sale" }),
    BENCH_ZONE_SEATS: Type.Integer({ minimum: 1, maximum: 100_000, default: 100_000, description: "Seats per zone" }),
    BENCH_REDIS_CALLS: Type.Integer({ minimum: 1_000, maximum: 2_000_000, default: 150_000, description: "reserve.lua calls, pipelined" }),
    BENCH_REDIS_UNPIPELINED_CALLS: Type.Integer({ minimum: 1_000, maximum: 1_000_000, default: 50_000, description: "...unpipelined" }),
    BENCH_DRAIN_DEADLINE_SECONDS: Type.Integer({ minimum: 10, maximum: 600, default: 180, description: "Platform mode: wait this long" }),
    BENCH_PORT_BASE: Type.Integer({ minimum: 1_024, maximum: 65_000, default: 7140, description: "API; +1 baseline; +10.. workers" }),
    BENCH_CPU_PROFILE: Type.Integer({ minimum: 0, maximum: 1, default: 0, description: "1: the full path's API under --cpu-prof-md" }),
    WRK_BIN: Type.String({ minLength: 1, default: "wrk", description: "The wrk binary (bench-reserve installs one)" }),
  },
  (values) => ({
    seconds: values.BENCH_SECONDS,
    threads: values.BENCH_THREADS,
    connections: values.BENCH_CONNECTIONS,
    buyers: values.BENCH_BUYERS,
    maxPerUser: values.BENCH_MAX_PER_USER,
    zones: values.BENCH_ZONES,
    seatsPerZone: values.BENCH_ZONE_SEATS,
    redisCalls: values.BENCH_REDIS_CALLS,
    redisUnpipelinedCalls: values.BENCH_REDIS_UNPIPELINED_CALLS,
    drainDeadlineSeconds: values.BENCH_DRAIN_DEADLINE_SECONDS,
    portBase: values.BENCH_PORT_BASE,
    cpuProfile: values.BENCH_CPU_PROFILE === 1,
    wrk: values.WRK_BIN,
  }),
);

const mode = process.argv[2] ?? "api";
if (mode !== "api" && mode !== "platform") {
  console.error("usage: bash loadtest/bench-reserve [api|platform]");
  process.exit(2);
}
const config = loadConfigOrExit({ bench: benchSettings, redis: redisSettings, postgres: postgresSettings }, process.env);
const bench = config.bench;
const root = join(import.meta.dir, "..");
const runId = `bench${Date.now().toString(36)}`;
const runDirectory = join(root, ".stack", "bench", runId);
mkdirSync(runDirectory, { recursive: true });
const logger = createLogger({ service: "bench", level: "warn" });
const redis = createRedis(config.redis, logger, "bench");
const usageSources = { master: redis, redisConfig: config.redis, logger };
const postgres = createPostgres(config.postgres, logger);
const apiPort = bench.portBase;
const api = `http://127.0.0.1:${apiPort}`;
const say = (line: string) => console.log(line);
/** The 1-minute load average: the machine's other work shows in every figure. */
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ")[0];
/** Overall bound: whatever hangs, the run ends (and stops what it started) after this. */
const watchdog = setTimeout(
  () => {
    console.error("bench-reserve: overall deadline passed; stopping");
    void stopAllChildren().finally(() => process.exit(1));
  },
  (20 * 60 + bench.drainDeadlineSeconds) * 1000,
);

/**
 * Operator settings for this run, on every process started: a low bcrypt cost (registering the
 * buyers is not what is measured), registration and login limits a whole crowd from 127.0.0.1 can
 * pass, and a per-buyer reserve rate that lets each buyer send its share of the load (the default,
 * 20 a minute per buyer and event, would turn the run into 429s).
 */
const reserveRatePerMinute = Math.max(20, Math.ceil((60 * 30_000) / bench.buyers));
const operatorSettings: Record<string, string> = {
  PASSWORD_HASH_COST: "4",
  REGISTER_RATE_PER_MINUTE: "1000000",
  REGISTER_RATE_BURST: "100000",
  LOGIN_RATE_PER_MINUTE: "1000000",
  LOGIN_RATE_BURST: "100000",
  RESERVE_RATE_PER_MINUTE: String(reserveRatePerMinute),
  RESERVE_RATE_BURST: "100",
};
const processEnv = (extra: Record<string, string>) => ({
  ...process.env,
  HOST: "127.0.0.1",
  LOG_LEVEL: "warn",
  ...operatorSettings,
  ...extra,
});

/** The platform's workers, the list scripts/run starts (each on its own port of the bench's range, in the list's order). */
const workers = platformWorkers(root);
const workerPort = (index: number) => bench.portBase + 10 + index;
const gatewayIndex = workers.findIndex((worker) => worker.name === "mock-gateway");
if (gatewayIndex < 0) throw new Error("scripts/platform-workers.txt has no mock-gateway (the full path's PAYMENT_GATEWAY_URL)");
const gatewayPort = workerPort(gatewayIndex);
const gatewayEnv = {
  MOCK_GATEWAY_HOST: "127.0.0.1",
  MOCK_GATEWAY_PORT: String(gatewayPort),
  PAYMENT_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
};

/** The CPU profile BENCH_CPU_PROFILE=1 has the full path's API process write when it exits. */
const cpuProfileName = "all-cpu-profile.md";

/** services/all on the bench's API port; `bunArgs` before the entrypoint (the CPU profiler). */
async function startApi(bunArgs: string[] = []): Promise<Child> {
  return startChild(
    "all",
    [process.execPath, ...bunArgs, join(root, "services/all/bin/all.ts")],
    processEnv({ ...gatewayEnv, PORT: String(apiPort) }),
    join(runDirectory, "all.log"),
    `${api}/readyz`,
    120,
  );
}

async function startWorkers() {
  for (const [index, worker] of workers.entries()) {
    // The mock gateway listens on MOCK_GATEWAY_PORT, the same number as its PORT here.
    const port = workerPort(index);
    await startChild(
      worker.name,
      [process.execPath, join(root, worker.entry)],
      processEnv({ ...gatewayEnv, ...worker.env, PORT: String(port) }),
      join(runDirectory, `${worker.name}.log`),
      `http://127.0.0.1:${port}/readyz`,
      120,
    );
  }
}

/**
 * One wrk leg against `target` (served by process `serverPid`) with loadtest/wrk-reserve.lua, and
 * what it cost; the booking ids of its 201s land in `name`'s directory.
 */
async function wrkLeg(
  name: string,
  target: string,
  serverPid: number,
  sale: Sale,
  buyersFile: string,
): Promise<{ leg: LegResult; usage: LegUsage; idsDirectory: string }> {
  const idsDirectory = join(runDirectory, `${name}-ids`);
  mkdirSync(idsDirectory, { recursive: true });
  const { result: leg, usage } = await measureUsage(usageSources, name, serverPid, async () => {
    const result = await runBounded(
      [
        bench.wrk,
        `-t${bench.threads}`,
        `-c${bench.connections}`,
        `-d${bench.seconds}s`,
        "--timeout",
        "5s",
        "-s",
        join(import.meta.dir, "wrk-reserve.lua"),
        target,
      ],
      {
        ...process.env,
        BENCH_BUYERS_FILE: buyersFile,
        BENCH_SHOW_ID: sale.showId,
        BENCH_ZONE_IDS: sale.zoneIds.join(","),
        BENCH_PATH: "/api/v1/bookings/reserve",
        BENCH_RUN_ID: `${runId}-${name}`,
        BENCH_IDS_DIR: idsDirectory,
        BENCH_THREADS: String(bench.threads),
      },
      bench.seconds + 60,
    );
    writeFileSync(join(runDirectory, `${name}-wrk.txt`), `${result.stdout}\n${result.stderr}`);
    if (result.timedOut || result.exitCode !== 0)
      throw new Error(`wrk (${name}) failed: status ${result.exitCode}; ${result.stderr.trim()}`);
    const parsed = parseWrkReport(name, result.stdout);
    return { ...parsed, loadGeneratorSeconds: result.cpuSeconds };
  });
  return { leg, usage, idsDirectory };
}

/** The store's verdict on one wrk leg's sale. */
async function checkLeg(label: string, sale: Sale, leg: LegResult, idsDirectory: string): Promise<Check[]> {
  const zones = await redisZones(redis, sale);
  const created = countOfStatus(leg.statuses, 201);
  const checks = [
    noOversell(zones),
    await bookingsExist(redis, sale, bookingIdsOf(idsDirectory), created),
    holdsMatchAnswers(seatsTaken(zones), created, leg.unanswered, bench.connections),
  ];
  return checks.map((check) => ({ ...check, name: `${label}: ${check.name}` }));
}

/** The Redis master's address as this process's Sentinel-resolved connection sees it (CLIENT INFO's laddr). */
async function redisMasterAddress(): Promise<{ host: string; port: string }> {
  const info = String(await redis.call("CLIENT", "INFO"));
  const address = /laddr=([\d.]+):(\d+)/.exec(info);
  if (!address) throw new Error(`no laddr in CLIENT INFO: ${info}`);
  return { host: address[1]!, port: address[2]! };
}

/** (c) reserve.lua alone: EVALSHA with the very KEYS/ARGV the booking service sends (reserveScript), ids random per call. */
async function scriptAloneLegs(): Promise<{ legs: LegResult[]; usages: LegUsage[]; checks: Check[] }> {
  // redis-benchmark rounds the pipelined count up to whole pipelines: room for one more per client.
  const capacity = bench.redisCalls + bench.redisUnpipelinedCalls + 50 * 16;
  const sale = await loadRedisOnlySale(redis, { zones: 1, seatsPerZone: capacity, maxPerUser: bench.maxPerUser });
  try {
    const source = readLuaScripts(luaDirectory).get("reserve")!.source;
    const sha = String(await redis.script("LOAD", source));
    let command: ScriptArgument[] = [];
    // redis-benchmark replaces each __rand_int__ with its own random 12 digits: a new booking, buyer and Idempotency-Key per call.
    await reserveScript(
      {
        run: async (_name, keys, args) => {
          command = [keys.length, ...keys, ...args];
          return ["ok", "{}"] as never;
        },
      },
      {
        eventId: sale.eventId,
        showId: sale.showId,
        zoneId: sale.zoneIds[0]!,
        bookingId: "b__rand_int__",
        userId: "u__rand_int__",
        idempotencyKey: "k__rand_int__",
        requestHash: "bench",
        quantity: 1,
        seatIds: [],
        holdMs: 600_000,
        rateBurst: 100,
        ratePerMinute: reserveRatePerMinute,
        queuePassId: "",
        idempotencyTtlSeconds: 86_400,
      },
    );
    const master = await redisMasterAddress();
    const legs: LegResult[] = [];
    const usages: LegUsage[] = [];
    for (const [name, pipeline, requests] of [
      ["reserve.lua alone, 50 clients, pipeline 16", 16, bench.redisCalls],
      ["reserve.lua alone, 50 clients, unpipelined", 1, bench.redisUnpipelinedCalls],
    ] as const) {
      const { result: leg, usage } = await measureUsage(usageSources, name, undefined, async () => {
        const result = await runBounded(
          [
            "redis-benchmark",
            "-h",
            master.host,
            "-a",
            config.redis.password ?? "",
            "-p",
            master.port,
            "-c",
            "50",
            "-P",
            String(pipeline),
            "-n",
            String(requests),
            "-r",
            "1000000000",
            "EVALSHA",
            sha,
            ...command.map(String),
          ],
          process.env,
          300,
        );
        writeFileSync(join(runDirectory, `redis-benchmark-P${pipeline}.txt`), `${result.stdout}\n${result.stderr}`);
        if (result.timedOut || result.exitCode !== 0)
          throw new Error(`redis-benchmark failed: status ${result.exitCode}; ${result.stderr.trim()}`);
        return { ...parseRedisBenchmark(name, result.stdout), loadGeneratorSeconds: result.cpuSeconds };
      });
      legs.push(leg);
      usages.push(usage);
    }
    const zones = await redisZones(redis, sale);
    const held = seatsTaken(zones);
    const calls = legs.reduce((sum, row) => sum + row.requests, 0);
    // A call may draw the buyer and key another call drew (random digits): it replays instead of holding.
    const checks: Check[] = [
      { ...noOversell(zones), name: "reserve.lua alone: no oversell" },
      {
        name: "reserve.lua alone: every call held a seat",
        passed: held <= calls && held >= calls * 0.999,
        detail: `${held} seats held for ${calls} calls`,
      },
    ];
    return { legs, usages, checks };
  } finally {
    await removeSale(sale);
  }
}

/**
 * A Redis-only sale must not outlive its leg (the platform's workers would find it), also when the
 * leg ended in a failover: retried while Sentinel moves the master, bounded.
 */
async function removeSale(sale: Sale): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await removeRedisOnlySale(redis, sale);
      return;
    } catch (error) {
      if (attempt >= 30) throw error;
      await Bun.sleep(1_000);
    }
  }
}

/** (b) the bare baseline against a Redis-only sale shaped like the full path's. */
async function baselineLeg(buyersFile: string): Promise<{ leg: LegResult; usage: LegUsage; checks: Check[] }> {
  const sale = await loadRedisOnlySale(redis, { zones: bench.zones, seatsPerZone: bench.seatsPerZone, maxPerUser: bench.maxPerUser });
  const port = bench.portBase + 1;
  const server = await startChild(
    "baseline",
    [process.execPath, join(import.meta.dir, "baseline-reserve-server.ts")],
    processEnv({ PORT: String(port), BENCH_EVENT_ID: sale.eventId }),
    join(runDirectory, "baseline.log"),
    `http://127.0.0.1:${port}/readyz`,
  );
  try {
    const { leg, usage, idsDirectory } = await wrkLeg("baseline", `http://127.0.0.1:${port}`, server.process.pid, sale, buyersFile);
    return { leg, usage, checks: await checkLeg("baseline", sale, leg, idsDirectory) };
  } finally {
    await stopChild(server);
    await removeSale(sale);
  }
}

/**
 * BENCH_CPU_PROFILE=1: stops the full path's profiled API process (Bun writes the profile as the
 * process exits) and reads the profile's 15 hottest functions by self time.
 */
async function readCpuProfile(apiChild: Child): Promise<{ lines: string[]; check: Check }> {
  await stopChild(apiChild);
  const path = join(runDirectory, cpuProfileName);
  const shown = `.stack/bench/${runId}/${cpuProfileName}`;
  const name = "full path: CPU profile written";
  if (!existsSync(path)) return { lines: [], check: { name, passed: false, detail: `no ${shown} after services/all stopped` } };
  try {
    const hot = parseHotFunctions(readFileSync(path, "utf8"));
    return {
      lines: [
        `CPU profile of the full path's API process (services/all under --cpu-prof-md, from its start to its stop; ` +
          `the profiler's own cost is in the full path's figures above): ${shown}`,
        "its 15 hottest functions by self time:",
        formatHotFunctions(hot, root, 15),
      ],
      check: { name, passed: hot.length > 0, detail: `${shown}, ${hot.length} rows in its Hot Functions table` },
    };
  } catch (error) {
    return { lines: [], check: { name, passed: false, detail: `${shown}: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

/** Platform mode: seconds from the end of the load until the outbox is drained and PostgreSQL equals Redis. */
async function drainAfterLoad(sale: Sale, loadEndedAt: number): Promise<{ lines: string[]; checks: Check[] }> {
  let drainedAt: number | undefined;
  let equalAt: number | undefined;
  let last = { backlog: { length: 0, pending: 0 }, agreement: await postgresAgrees(postgres.db, redis, sale) };
  const deadline = loadEndedAt + bench.drainDeadlineSeconds * 1000;
  while (Date.now() < deadline) {
    const backlog = await outboxBacklog(redis, sale);
    const agreement = await postgresAgrees(postgres.db, redis, sale);
    last = { backlog, agreement };
    const drained = backlog.length === 0 && backlog.pending === 0;
    if (drained) drainedAt ??= Date.now();
    else drainedAt = undefined;
    if (agreement.equal) equalAt ??= Date.now();
    else equalAt = undefined;
    if (drainedAt !== undefined && equalAt !== undefined) break;
    await Bun.sleep(250);
  }
  const seconds = (at: number | undefined) =>
    at === undefined ? "not within the deadline" : `${((at - loadEndedAt) / 1000).toFixed(1)} s`;
  const { backlog, agreement } = last;
  const lines = [
    `outbox drained (stream empty, nothing pending): ${seconds(drainedAt)} after the load stopped`,
    `PostgreSQL equals Redis (every zone clean, live bookings = seats held): ${seconds(equalAt)} after the load stopped`,
    `  at the end: outbox ${backlog.length} entries, ${backlog.pending} pending; zones ${JSON.stringify(agreement.verdicts)}; ` +
      `PostgreSQL ${agreement.postgresLiveBookings} live bookings, Redis ${agreement.redisSeats} seats held`,
  ];
  const both = drainedAt !== undefined && equalAt !== undefined ? Math.max(drainedAt, equalAt) - loadEndedAt : undefined;
  lines.push(`target: within 60 s: ${both === undefined ? "missed" : both <= 60_000 ? "met" : "missed"}`);
  return {
    lines,
    checks: [
      {
        name: "full path: PostgreSQL caught up with Redis",
        passed: drainedAt !== undefined && equalAt !== undefined,
        detail: `within the ${bench.drainDeadlineSeconds} s deadline (BENCH_DRAIN_DEADLINE_SECONDS)`,
      },
    ],
  };
}

/**
 * What earlier sales leave the workers to do while this run measures: outbox entries not yet
 * relayed, and live holds the sweeper will expire when their time is up (an `api` run has no
 * sweeper or relay, so its sale waits for the next `platform` run).
 */
async function earlierSalesWork(sale: Sale): Promise<{ entries: number; liveHolds: number }> {
  let entries = 0;
  let liveHolds = 0;
  for (const eventId of await redis.smembers(eventRegistryKey)) {
    if (eventId === sale.eventId) continue;
    entries += await redis.xlen(eventKeys(eventId).outbox);
    liveHolds += await redis.zcard(eventKeys(eventId).expiry);
  }
  return { entries, liveHolds };
}

/**
 * Waits (bounded) until the master Sentinel names has its replicas back in sync, so a leg does not
 * start in the middle of a failover or a full resync that the one before it caused.
 */
async function replicasInSync(): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const info = String(await redis.info("replication").catch((error: Error) => error.message));
    const connected = Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
    const good = Number(/min_slaves_good_slaves:(\d+)/.exec(info)?.[1] ?? connected);
    const syncing = /state=(wait_bgsave|send_bulk)/.test(info);
    if (/role:master/.test(info) && connected >= 1 && good >= 1 && !syncing) return `${connected} replicas in sync`;
    if (Date.now() > deadline) return `replicas not in sync after 120 s: ${info.replace(/\s+/g, " ").slice(0, 200)}`;
    await Bun.sleep(500);
  }
}

/**
 * Runs one leg; a failure (a load generator that failed, a store that refused) becomes a FAIL line
 * and the run goes on with the other legs. A Sentinel failover during the leg (the master changed)
 * is a FAIL too: its figures measured a failover, not the path.
 */
async function leg<T>(label: string, checks: Check[], run: () => Promise<T>): Promise<T | undefined> {
  const replicas = await replicasInSync();
  if (!replicas.endsWith("in sync")) say(`${label}: ${replicas}`);
  const masterBefore = await redisMasterAddress();
  let result: T | undefined;
  try {
    result = await run();
  } catch (error) {
    checks.push({ name: `${label}: ran to its end`, passed: false, detail: error instanceof Error ? error.message : String(error) });
  }
  const masterAfter = await redisMasterAddress().catch(() => undefined);
  const same = masterAfter?.host === masterBefore.host && masterAfter?.port === masterBefore.port;
  if (!same) {
    checks.push({
      name: `${label}: no Sentinel failover during the leg`,
      passed: false,
      detail: `the Redis master moved from ${masterBefore.host}:${masterBefore.port} to ${masterAfter ? `${masterAfter.host}:${masterAfter.port}` : "unknown"} (an overloaded master misses Sentinel's 2 s down-after)`,
    });
  }
  return result;
}

async function main(): Promise<boolean> {
  const startedAt = new Date();
  say(`reserve benchmark, mode ${mode}, ${startedAt.toISOString()}, run ${runId} (logs in .stack/bench/${runId})`);
  say(`machine: ${availableParallelism()} cores, load average ${loadAverage()} at the start`);
  say(
    `load: wrk ${bench.threads} threads, ${bench.connections} connections, ${bench.seconds} s per leg; ` +
      `sale: ${bench.zones} zones x ${bench.seatsPerZone} seats, max ${bench.maxPerUser} per buyer, ${bench.buyers} buyers, one seat per request`,
  );
  const settings = Object.entries(operatorSettings).map(([key, value]) => `${key}=${value}`);
  say(`operator settings for this run (a low bcrypt cost: registering the buyers is not measured): ${settings.join(" ")}`);

  const seeded = await runBounded(["bash", join(root, "scripts/seed")], process.env, 300);
  if (seeded.exitCode !== 0) throw new Error(`scripts/seed failed: ${seeded.stderr.trim()}`);
  const organizer = JSON.parse(seeded.stdout).organizer as { email: string; password: string };

  let apiChild = await startApi();
  const organizerSession = await login(api, organizer.email, organizer.password);
  const sale = await createSaleThroughApi(api, organizerSession.accessToken, {
    title: `Reserve benchmark ${runId}`,
    zones: bench.zones,
    seatsPerZone: bench.seatsPerZone,
    maxPerUser: bench.maxPerUser,
  });
  say(`sale: event ${sale.eventId} created and published by the demo organizer through the catalog API`);
  const registering = performance.now();
  const buyers: Buyer[] = await registerBuyers(api, { count: bench.buyers, concurrency: 16, runId, deadlineSeconds: 600 });
  const buyersFile = join(runDirectory, "buyers.txt");
  writeBuyersFile(buyersFile, buyers);
  say(
    `buyers: ${buyers.length} registered and logged in through the auth API in ${((performance.now() - registering) / 1000).toFixed(1)} s`,
  );

  const checks: Check[] = [];
  const scriptAlone = await leg("reserve.lua alone", checks, scriptAloneLegs);
  checks.push(...(scriptAlone?.checks ?? []));
  const baseline = await leg("baseline", checks, () => baselineLeg(buyersFile));
  checks.push(...(baseline?.checks ?? []));

  if (mode === "platform") {
    const earlier = await earlierSalesWork(sale);
    await startWorkers();
    say(`platform: ${workers.map((worker) => worker.name).join(", ")} running beside the API`);
    say(
      `platform: earlier sales leave the workers ${earlier.entries} outbox entries to relay and ${earlier.liveHolds} live holds ` +
        "to expire when their time is up (api-mode runs leave theirs; on a fresh stack both are 0)",
    );
  }
  const full = await leg("full path", checks, async () => {
    if (bench.cpuProfile) {
      // A fresh process under the profiler: its profile holds its start-up and the leg, not the buyers' registration.
      await stopChild(apiChild);
      apiChild = await startApi(["--cpu-prof-md", `--cpu-prof-dir=${runDirectory}`, `--cpu-prof-name=${cpuProfileName}`]);
    }
    const result = await wrkLeg("full", api, apiChild.process.pid, sale, buyersFile);
    return { ...result, endedAt: Date.now() };
  });
  const drain = full && mode === "platform" ? await drainAfterLoad(sale, full.endedAt) : undefined;
  if (full) checks.push(...(await checkLeg("full path", sale, full.leg, full.idsDirectory)));
  if (drain) checks.push(...drain.checks);
  const crashed = exitedChildren();
  checks.push({ name: "no process exited during the run", passed: crashed.length === 0, detail: crashed.join(", ") || "none" });
  const profile = bench.cpuProfile ? await readCpuProfile(apiChild) : undefined;
  if (profile) checks.push(profile.check);

  const workersNote = mode === "platform" ? "workers running" : "workers stopped";
  const fullLeg = full ? { ...full.leg, name: `full path (services/all, ${workersNote})` } : undefined;
  const baselineLegResult = baseline ? { ...baseline.leg, name: "bare baseline (baseline-reserve-server.ts)" } : undefined;
  const legs = [fullLeg, baselineLegResult, ...(scriptAlone?.legs ?? [])].filter((row) => row !== undefined);
  const usages = [
    full && fullLeg ? { ...full.usage, name: fullLeg.name } : undefined,
    baseline && baselineLegResult ? { ...baseline.usage, name: baselineLegResult.name } : undefined,
    ...(scriptAlone?.usages ?? []),
  ].filter((row) => row !== undefined);
  say("");
  say(formatLegTable(legs));
  say("");
  say(`full / baseline:              ${formatRatio(fullLeg?.rate ?? 0, baselineLegResult?.rate ?? 0)}`);
  say(`full / 10,000 target:         ${formatRatio(fullLeg?.rate ?? 0, 10_000)}`);
  say(`full p99 / 50 ms target:      ${fullLeg ? (fullLeg.p99Ms / 50).toFixed(2) : "n/a"}`);
  say(`reserve.lua / 30,000 target:  ${formatRatio(scriptAlone?.legs[0]?.rate ?? 0, 30_000)}`);
  say("");
  say(
    "what each leg cost per answered request: CPU µs (user + system) of the API process, the load generator " +
      "(wrk; redis-benchmark for reserve.lua alone), the Redis master and each replica;",
  );
  say("from the master's commandstats of the leg: EVALSHA µs per call, WAIT calls and all commands (its scripts' own included)");
  say(formatUsageTable(usages));
  if (profile) {
    say("");
    for (const line of profile.lines) say(line);
  }
  if (drain) {
    say("");
    for (const line of drain.lines) say(line);
  }
  say("");
  say(`load average ${loadAverage()} at the end`);
  const verdict = formatChecks(checks);
  say(verdict.text);
  return verdict.passed;
}

// Ctrl-C: stop what this run started (by pid), then leave.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stopAllChildren().finally(() => process.exit(130));
  });
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(`bench-reserve: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await stopAllChildren();
  await closeRedis(redis);
  await postgres.close();
  clearTimeout(watchdog);
}
process.exit(passed ? 0 : 1);
