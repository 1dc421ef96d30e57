/**
 * Reserve benchmark on the local stack: the real booking service over HTTP (auth, rate limit,
 * idempotency, Lua, WAIT for a replica) against a bare baseline (Elysia + the same Lua script), in
 * the same run, with the same load. Prints requests/s, p50, p99 and errors of each and the ratio,
 * then checks that no zone ever held more than it has. Bounded: a fixed number of requests per run
 * and a deadline. Run with loadtest/bench-reserve (it brings the stack up and sets the env).
 */
import { signAccessToken, userAuthStateKey, writeUserAuthState } from "@booking-rush/lib/auth";
import { closeRedis, createRedis } from "@booking-rush/lib/clients";
import { loadConfigOrExit, redisSettings } from "@booking-rush/lib/config";
import { createLogger } from "@booking-rush/lib/observability";
import { eventKeys, eventRegistryKey } from "../services/lib/src/inventory/keys";
import { loadEventInventory } from "../services/lib/src/inventory/load";

const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 120_000);
const config = loadConfigOrExit({ redis: redisSettings }, process.env);
const jwtSecret = process.env.JWT_SECRET!;
const redis = createRedis(config.redis, createLogger({ service: "bench", level: "warn" }), "bench");

interface Sale {
  eventId: string;
  showId: string;
  zoneId: string;
  total: number;
}

/** Capacity below the demand, so the run also exercises sold-out answers. */
async function publishSale(): Promise<Sale> {
  const sale = {
    eventId: crypto.randomUUID(),
    showId: crypto.randomUUID(),
    zoneId: crypto.randomUUID(),
    total: Math.floor(requests * 0.8),
  };
  await loadEventInventory(redis, {
    id: sale.eventId,
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    shows: [{ id: sale.showId, zones: [{ id: sale.zoneId, kind: "general", total: sale.total, price: 1 }] }],
  });
  return sale;
}

async function startServer(entry: string, port: number, env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, entry], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { method: "HEAD" });
      return child;
    } catch {
      if (Date.now() > deadline) throw new Error(`${entry} did not start`);
      await Bun.sleep(100);
    }
  }
}

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

interface RunResult {
  name: string;
  seconds: number;
  latenciesMs: number[];
  statuses: Map<number, number>;
  errors: number;
}

/** `concurrency` workers pull request numbers until `requests` are sent or the deadline passes. */
async function drive(name: string, send: (index: number) => Promise<Response>): Promise<RunResult> {
  const latenciesMs: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const stopAt = Date.now() + deadlineMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests && Date.now() < stopAt) {
        const index = next++;
        const sent = performance.now();
        try {
          const response = await send(index);
          await response.arrayBuffer();
          latenciesMs.push(performance.now() - sent);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status >= 500) errors += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return { name, seconds: (performance.now() - started) / 1000, latenciesMs, statuses, errors };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function report(result: RunResult) {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const rate = result.latenciesMs.length / result.seconds;
  console.log(
    `${result.name.padEnd(9)} ${rate.toFixed(0).padStart(6)} req/s  p50 ${percentile(sorted, 50).toFixed(2)} ms  p99 ${percentile(sorted, 99).toFixed(2)} ms  errors ${result.errors}  statuses ${JSON.stringify(Object.fromEntries(result.statuses))}`,
  );
  return rate;
}

/** The store's verdict: holds and sales never exceed the zone, and every 201 is one held seat. */
async function checkNoOversell(sale: Sale, result: RunResult) {
  const [total, reserved, sold] = (await redis.hmget(eventKeys(sale.eventId).zone(sale.zoneId), "total", "reserved", "sold")).map(Number);
  const created = result.statuses.get(201) ?? 0;
  const ok = reserved! + sold! <= total! && reserved === created;
  console.log(
    `${result.name.padEnd(9)} check: total ${total} reserved ${reserved} sold ${sold} answered-201 ${created} -> ${ok ? "no oversell" : "MISMATCH"}`,
  );
  return ok;
}

async function cleanUp(sale: Sale) {
  const keys = await redis.keys(`${eventKeys(sale.eventId).tag}*`);
  for (let index = 0; index < keys.length; index += 500) await redis.del(...keys.slice(index, index + 500));
  await redis.srem(eventRegistryKey, sale.eventId);
}

const users = Array.from({ length: Math.ceil(requests / 4) }, () => crypto.randomUUID());
const tokens = await Promise.all(
  users.map((id) =>
    signAccessToken({ id, email: `${id}@bench.example`, role: "user", tenant_id: null }, { secret: jwtSecret, ttlSeconds: 900 }),
  ),
);
// Signed in, as far as every guard can tell: the auth state a login writes (user-auth-state.ts).
await Promise.all(users.map((id) => writeUserAuthState(redis, id, { version: 0, role: "user", tenantId: null, active: true }, 900)));

const baselineSale = await publishSale();
const baselinePort = freePort();
const baseline = await startServer(`${import.meta.dir}/baseline-reserve-server.ts`, baselinePort, { BENCH_EVENT_ID: baselineSale.eventId });
const bare = await drive("baseline", (index) =>
  fetch(`http://127.0.0.1:${baselinePort}/reserve`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      user_id: users[index % users.length],
      show_id: baselineSale.showId,
      zone_id: baselineSale.zoneId,
      quantity: "1",
    }),
  }),
);
baseline.kill("SIGTERM");
await baseline.exited;

const fullSale = await publishSale();
const servicePort = freePort();
const service = await startServer(`${import.meta.dir}/../services/booking/bin/booking.ts`, servicePort, {});
const full = await drive("full", (index) =>
  fetch(`http://127.0.0.1:${servicePort}/api/v1/bookings/reserve`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${tokens[index % users.length]}`,
      "idempotency-key": `bench-${index}`,
    },
    body: JSON.stringify({ show_id: fullSale.showId, zone_id: fullSale.zoneId, quantity: 1 }),
  }),
);
service.kill("SIGTERM");
await service.exited;

console.log(`requests ${requests} per run, concurrency ${concurrency}`);
const fullRate = report(full);
const bareRate = report(bare);
console.log(`ratio full/baseline: ${(fullRate / bareRate).toFixed(2)} of the throughput`);
const clean = (await checkNoOversell(fullSale, full)) && (await checkNoOversell(baselineSale, bare));
await cleanUp(fullSale);
await cleanUp(baselineSale);
for (let index = 0; index < users.length; index += 500) await redis.del(...users.slice(index, index + 500).map(userAuthStateKey));
await closeRedis(redis);
process.exit(clean && full.errors === 0 && bare.errors === 0 ? 0 : 1);
