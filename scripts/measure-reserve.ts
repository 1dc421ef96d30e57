/**
 * Measures the reserve path with wrk (an external load generator): the bare baseline and the full
 * booking service, one after the other in one run, each on a fresh sale of 3 zones x 100,000 places,
 * with Redis' commandstats of each run. For profiling work (docs/performance.md); the committed
 * benchmark is loadtest/bench-reserve. Bounded: SECONDS per target.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signAccessToken, userAuthStateKey, writeUserAuthState } from "@booking-rush/lib/auth";
import { closeRedis, createRedis } from "@booking-rush/lib/clients";
import { loadConfigOrExit, redisSettings } from "@booking-rush/lib/config";
import { createLogger } from "@booking-rush/lib/observability";
import { eventKeys, eventRegistryKey } from "../services/lib/src/inventory/keys";
import { loadEventInventory } from "../services/lib/src/inventory/load";

const seconds = Number(process.env.SECONDS_PER_RUN ?? 15);
const connections = Number(process.env.CONNECTIONS ?? 64);
const userCount = Number(process.env.USERS ?? 40_000);
const targets = (process.env.TARGETS ?? "baseline,full").split(",");
const port = Number(process.env.MEASURE_PORT ?? 7241);
const fullEntry = process.env.FULL_ENTRY ?? "services/booking/bin/booking.ts";
const fullBunArgs = (process.env.FULL_BUN_ARGS ?? "").split(" ").filter(Boolean);
const root = join(import.meta.dir, "..");
const config = loadConfigOrExit({ redis: redisSettings }, process.env);
const redis = createRedis(config.redis, createLogger({ service: "measure", level: "warn" }), "measure");
const master = createRedisDirect();

function createRedisDirect() {
  return createRedis({ ...config.redis, sentinels: undefined }, createLogger({ service: "measure", level: "warn" }), "measure-direct");
}

const work = mkdtempSync(join(tmpdir(), "measure-reserve-"));
const users = Array.from({ length: userCount }, () => crypto.randomUUID());
const tokens = await Promise.all(
  users.map((id) =>
    signAccessToken(
      { id, email: `${id}@measure.example`, role: "user", tenant_id: null },
      { secret: process.env.JWT_SECRET!, ttlSeconds: 900 },
    ),
  ),
);
for (let index = 0; index < users.length; index += 1000)
  await Promise.all(
    users
      .slice(index, index + 1000)
      .map((id) => writeUserAuthState(redis, id, { version: 0, role: "user", tenantId: null, active: true }, 900)),
  );
const usersFile = join(work, "users.txt");
writeFileSync(usersFile, users.map((id, index) => `${id} ${tokens[index]}`).join("\n"));

async function publishSale() {
  const sale = { eventId: crypto.randomUUID(), showId: crypto.randomUUID(), zoneIds: [1, 2, 3].map(() => crypto.randomUUID()) };
  await loadEventInventory(redis, {
    id: sale.eventId,
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 10,
    shows: [{ id: sale.showId, zones: sale.zoneIds.map((id) => ({ id, kind: "general" as const, total: 100_000, price: 1 })) }],
  });
  return sale;
}

async function startServer(args: string[], env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, ...args], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdout: "inherit",
    stderr: "inherit",
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { method: "HEAD" });
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`${args.join(" ")} did not start`);
      await Bun.sleep(100);
    }
  }
}

/** CPU seconds (user + system) a process has used so far. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

/** CPU seconds the Redis master has used so far (INFO cpu). */
async function redisCpuSeconds(): Promise<number> {
  const info = (await master.info("cpu")) as string;
  const value = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0);
  return value("used_cpu_user") + value("used_cpu_sys");
}

function commandStats(info: string) {
  const stats: Record<string, { calls: number; usec: number }> = {};
  for (const line of info.split("\n")) {
    const match = line.match(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/);
    if (match) stats[match[1]!] = { calls: Number(match[2]), usec: Number(match[3]) };
  }
  return stats;
}

async function wrk(mode: string, showId: string, zoneIds: string[], runSeconds: number) {
  const process_ = Bun.spawn(
    [
      "wrk",
      "-t2",
      `-c${connections}`,
      `-d${runSeconds}s`,
      "--latency",
      "-s",
      join(import.meta.dir, "measure-reserve.wrk.lua"),
      `http://127.0.0.1:${port}`,
      "--",
      usersFile,
      showId,
      zoneIds.join(","),
      mode,
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  const text = await new Response(process_.stdout).text();
  await process_.exited;
  return text;
}

const label = process.env.LABEL ?? "";
const results: Record<string, number> = {};
for (const target of targets) {
  const sale = await publishSale();
  const server =
    target === "baseline"
      ? await startServer(["loadtest/baseline-reserve-server.ts"], { BENCH_EVENT_ID: sale.eventId })
      : await startServer([...fullBunArgs, fullEntry], {});
  // A/B of uncommitted code: restores the working tree once the server has loaded its modules.
  if (process.env.AFTER_START) Bun.spawnSync(["bash", "-c", process.env.AFTER_START], { cwd: root, stdout: "inherit" });
  await wrk(target, sale.showId, sale.zoneIds, 2); // warm-up: JIT, connections, script cache
  await master.call("CONFIG", "RESETSTAT");
  const [serverCpuBefore, redisCpuBefore] = [processCpuSeconds(server.pid), await redisCpuSeconds()];
  const output = await wrk(target, sale.showId, sale.zoneIds, seconds);
  const [serverCpu, redisCpu] = [processCpuSeconds(server.pid) - serverCpuBefore, (await redisCpuSeconds()) - redisCpuBefore];
  const stats = commandStats((await master.info("commandstats")) as string);
  const rate = Number(output.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  results[target] = rate;
  const lat = output.match(/LAT .*/)?.[0];
  const status = output.match(/STATUS .*/)?.[0];
  const answered = Number(output.match(/(\d+) requests in/)?.[1]);
  const perRequest = (cpu: number) => ((cpu / answered) * 1e6).toFixed(0);
  console.log(
    `${(label + target).padEnd(12)} ${rate.toFixed(0).padStart(6)} req/s  ${lat}  ${status}  cpu/request: server ${perRequest(serverCpu)} us, redis master ${perRequest(redisCpu)} us`,
  );
  const interesting = Object.entries(stats)
    .filter(([, stat]) => stat.calls > 100)
    .map(([name, stat]) => `${name} ${stat.calls} calls ${(stat.usec / stat.calls).toFixed(1)} us/call ${(stat.usec / 1e6).toFixed(2)} s`);
  console.log(`          redis: ${interesting.join("; ")}`);
  server.kill("SIGTERM");
  await server.exited;
  const keys = await redis.keys(`${eventKeys(sale.eventId).tag}*`);
  for (let index = 0; index < keys.length; index += 1000) await redis.unlink(...keys.slice(index, index + 1000));
  await redis.srem(eventRegistryKey, sale.eventId);
}
if (results.full && results.baseline) console.log(`ratio full/baseline ${(results.full / results.baseline).toFixed(2)}`);
for (let index = 0; index < users.length; index += 1000) await redis.unlink(...users.slice(index, index + 1000).map(userAuthStateKey));
await closeRedis(redis);
await closeRedis(master);
