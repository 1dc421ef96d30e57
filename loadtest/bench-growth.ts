/**
 * Cost as the work grows: what one pass of each background worker costs once a sale has N holds.
 * For each N (BENCH_GROWTH_SIZES, default "10 200000"), on a fresh database of the local stack:
 * the catalog publishes an event (3 general zones of 100,000, as in issue 15), N holds are made
 * through lua/reserve.lua directly (pipelined; plus the two index writes the reserve route adds),
 * the projector's applyBatch brings PostgreSQL to Redis from the outbox, and then it times
 *   - one reconciler pass (reconcileAll, every zone clean),
 *   - the reconciler's rebuild after Redis lost the event's keys, and the longest single Redis
 *     command during it (SLOWLOG, over 1 ms),
 *   - one expiry sweep with nothing due, and one with K holds due,
 *   - the projector catching up on M more events (per event),
 * and the Redis memory per live hold (INFO used_memory delta / N, MEMORY USAGE of one hold's keys).
 * Redis commands per pass are INFO commandstats deltas (commands run inside scripts included).
 * Bounded: N at most 300,000, the whole run stops after BENCH_DEADLINE_MS (default 20 min).
 * Run with loadtest/bench-growth (it brings the stack up and sets the env).
 */
import { reserveScript } from "@booking-rush/booking/booking-scripts";
import { expireDueHolds } from "@booking-rush/booking/hold-expiry";
import { entryFields, outboxMessage } from "@booking-rush/booking/outbox-message";
import * as schema from "@booking-rush/db/schema";
import {
  closeRedis,
  createLuaScripts,
  createRedis,
  infoNumbers,
  luaDirectory,
  type Redis,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import { loadConfig } from "@booking-rush/lib/config";
import { parseBookingEvent } from "@booking-rush/lib/contracts";
import { bookingEventKey, eventKeys, userBookingsKey } from "@booking-rush/lib/inventory";
import { createLogger } from "@booking-rush/lib/observability";
import { applyBatch, type PendingEvent } from "@booking-rush/projector/apply-batch";
import { createReconciler, reconcileAll, reconcilerSettings } from "@booking-rush/reconciler";
import { type CatalogFixture, catalogFixture } from "@booking-rush/test-support/catalog-fixture";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { sql } from "drizzle-orm";
import { removeEventKeys } from "./bench/sale";

const sizes = (process.env.BENCH_GROWTH_SIZES ?? "10 200000").split(/\s+/).filter(Boolean).map(Number);
const backlog = Number(process.env.BENCH_GROWTH_BACKLOG ?? 2_000);
const due = Number(process.env.BENCH_GROWTH_DUE ?? 1_000);
const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 20 * 60_000);
const maxHolds = 300_000;
const zonesPerEvent = 3;
const zoneSize = 100_000;
const perUser = 20;
const projectorBatch = 500;
const expiryOptions = { batchSize: 200, recordTtlSeconds: 604_800 };

if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > maxHolds)) {
  console.error(`BENCH_GROWTH_SIZES: whole numbers from 1 to ${maxHolds}`);
  process.exit(2);
}
setTimeout(() => {
  console.error(`bench-growth: deadline of ${deadlineMs} ms passed, stopping`);
  process.exit(1);
}, deadlineMs).unref();

const logger = createLogger({ service: "bench-growth", level: "warn" });

interface Sale {
  eventId: string;
  showId: string;
  zoneIds: string[];
  userIds: string[];
}

async function publishSale(catalog: CatalogFixture, holds: number): Promise<Sale> {
  const acme = await catalog.tenant("growth");
  const token = acme.organizerToken;
  const hours = (count: number) => new Date(Date.now() + count * 3_600_000).toISOString();
  const event = (
    await catalog.request("POST", "/events", token, {
      title: "Growth Night",
      description: "cost as the work grows",
      category: "concerts",
      venue: "Bench Hall",
      booking_opens_at: hours(-1),
      booking_closes_at: hours(24),
      max_tickets_per_user: perUser,
    })
  ).body.data;
  const show = (await catalog.request("POST", `/events/${event.id}/shows`, token, { starts_at: hours(48), ends_at: hours(51) })).body.data;
  const zoneIds: string[] = [];
  for (let index = 0; index < zonesPerEvent; index += 1) {
    const zone = await catalog.request("POST", `/shows/${show.id}/zones`, token, {
      name: `Zone ${index}`,
      price: 1_000,
      total_seats: zoneSize,
    });
    zoneIds.push(zone.body.data.id);
  }
  const published = await catalog.request("POST", `/events/${event.id}/publish`, token);
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  // Real users (bookings reference them), `perUser` holds each: the per-user limit is never hit.
  const users = Math.ceil((holds + backlog + due) / perUser) + 1;
  const run = crypto.randomUUID().slice(0, 8);
  const rows = await catalog.asSystem((tx) =>
    tx.execute<{ id: string }>(sql`
      insert into ${schema.users} (email, password_hash, name)
      select 'growth-' || ${run} || '-' || g || '@example.com', 'x', 'Buyer ' || g from generate_series(1, ${users}::int) as g
      returning id`),
  );
  return { eventId: event.id, showId: show.id, zoneIds, userIds: [...rows].map((row) => row.id) };
}

interface Hold {
  bookingId: string;
  userId: string;
  idempotencyKey: string;
}

/** `count` holds of one seat each, spread over the zones and users, pipelined in chunks; added to `made`. */
async function makeHolds(redis: Redis, sale: Sale, made: Hold[], count: number, holdMs: number) {
  const scripts = createLuaScripts(redis, readLuaScripts(luaDirectory));
  const chunk = 2_000;
  const from = made.length;
  for (let start = from; start < from + count; start += chunk) {
    const holds = await Promise.all(
      Array.from({ length: Math.min(chunk, from + count - start) }, (_, offset) => {
        const index = start + offset;
        const hold: Hold = {
          bookingId: crypto.randomUUID(),
          userId: sale.userIds[Math.floor(index / perUser)]!,
          idempotencyKey: crypto.randomUUID(),
        };
        const { bookingId, userId } = hold;
        return reserveScript(scripts, {
          eventId: sale.eventId,
          showId: sale.showId,
          zoneId: sale.zoneIds[index % sale.zoneIds.length]!,
          bookingId,
          userId,
          idempotencyKey: hold.idempotencyKey,
          requestHash: "0".repeat(64),
          quantity: 1,
          seatIds: [],
          holdMs,
          rateBurst: 1_000,
          ratePerMinute: 1_000_000,
          queuePassId: "",
          idempotencyTtlSeconds: 86_400,
        }).then(async (reply) => {
          if (reply[0] !== "ok") throw new Error(`reserve: ${JSON.stringify(reply)}`);
          const created = JSON.parse(reply[1]) as { created_at_ms: number };
          // The reserve route's two index writes (services/booking/src/reservations.ts, indexBooking).
          await redis
            .multi()
            .zadd(userBookingsKey(userId), created.created_at_ms, `${sale.eventId}:${bookingId}`)
            .set(bookingEventKey(bookingId), sale.eventId, "EX", Math.ceil(holdMs / 1000) + 604_800)
            .exec();
          return hold;
        });
      }),
    );
    made.push(...holds);
  }
}

/**
 * Runs `work` with Redis' slow log catching every command over 1 ms, and answers the longest one
 * (ms; 0 when none took 1 ms): a single script that long holds every other client of the master.
 */
async function longestCommand<T>(redis: Redis, work: () => Promise<T>) {
  const [, threshold] = (await redis.call("CONFIG", "GET", "slowlog-log-slower-than")) as [string, string];
  await redis.call("CONFIG", "SET", "slowlog-log-slower-than", "1000");
  await redis.call("SLOWLOG", "RESET");
  try {
    const result = await work();
    const entries = (await redis.call("SLOWLOG", "GET", "1000")) as [number, number, number, string[]][];
    return { result, longestMs: Math.max(0, ...entries.map((entry) => entry[2] / 1000)) };
  } finally {
    await redis.call("CONFIG", "SET", "slowlog-log-slower-than", threshold);
  }
}

/** Every key the holds made, in chunks (one DEL of them all would block Redis for seconds). */
async function removeSale(redis: Redis, sale: Sale, made: Hold[]) {
  const global = [...made.map((hold) => bookingEventKey(hold.bookingId)), ...sale.userIds.map(userBookingsKey)];
  for (let start = 0; start < global.length; start += 1_000) await redis.unlink(...global.slice(start, start + 1_000));
  await removeEventKeys(redis, sale.eventId);
}

/** Reads the outbox from `after` and applies it with the projector's applyBatch; the last id read and the events applied. */
async function project(redis: Redis, catalog: CatalogFixture, eventId: string, after: string) {
  let cursor = after;
  let applied = 0;
  for (;;) {
    const entries = (await redis.xrange(eventKeys(eventId).outbox, `(${cursor}`, "+", "COUNT", 5_000)) as [string, string[]][];
    if (entries.length === 0) return { cursor, applied };
    const pending: PendingEvent[] = entries.map(([id, flat]) => {
      const parsed = parseBookingEvent(String(outboxMessage(eventId, entryFields(flat)!).message.value));
      if ("reason" in parsed) throw new Error(`outbox entry ${id}: ${parsed.reason}`);
      return { event: parsed.event, receivedAt: 0 };
    });
    for (let start = 0; start < pending.length; start += projectorBatch) {
      const outcome = await applyBatch(catalog.db, pending.slice(start, start + projectorBatch), { reorderWaitMs: 0 });
      applied += outcome.applied;
    }
    cursor = entries.at(-1)![0];
  }
}

async function commandCalls(redis: Redis): Promise<number> {
  const info = await redis.info("commandstats");
  let calls = 0;
  for (const match of info.matchAll(/calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

/** Wall time, this process' CPU time and the Redis commands run (the INFO calls themselves excluded) of one step. */
async function measured<T>(redis: Redis, work: () => Promise<T>) {
  const commandsBefore = await commandCalls(redis);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const commands = (await commandCalls(redis)) - commandsBefore - 1;
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, commands };
}

async function usedMemory(redis: Redis) {
  return infoNumbers(await redis.info("memory")).get("used_memory") ?? 0;
}

async function measureSize(holds: number) {
  const catalog = await catalogFixture("bench-growth");
  // The bench's own client waits longer than a service's: it reads whole streams and sets.
  const redis = createRedis({ ...stackConfig.redis, commandTimeoutMs: 60_000 }, logger, "bench-growth");
  const reconciler = createReconciler(
    {
      redis: stackConfig.redis,
      redlock: stackConfig.redlock,
      postgres: { ...stackConfig.postgres, url: catalog.database.url },
      kafka: stackConfig.kafka,
      reconciler: { ...loadConfig({ reconciler: reconcilerSettings }, {}).reconciler, projectorGroupId: "bench-growth" },
      booking: { recordTtlSeconds: 604_800, holdMs: 600_000 },
    },
    logger,
  );
  let sale: Sale | undefined;
  const made: Hold[] = [];
  try {
    const current = await publishSale(catalog, holds);
    sale = current;
    const keys = eventKeys(current.eventId);
    const memoryBefore = await usedMemory(redis);
    const setup = await measured(redis, () => makeHolds(redis, current, made, holds, 600_000));
    const memoryAfter = await usedMemory(redis);
    const first = made[0]!;
    const memoryOf = async (key: string) => Number((await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0")) ?? 0);
    const outboxBytes = await memoryOf(keys.outbox);
    const expiryBytes = await memoryOf(keys.expiry);
    const perHold = {
      usedMemory: (memoryAfter - memoryBefore) / holds,
      booking: await memoryOf(keys.booking(first.bookingId)),
      idempotency: await memoryOf(keys.idempotency(first.userId, first.idempotencyKey)),
      bookingEvent: await memoryOf(bookingEventKey(first.bookingId)),
      expiryEntry: expiryBytes / holds,
      outboxEntry: outboxBytes / holds,
    };

    const catchUp = await measured(redis, () => project(redis, catalog, current.eventId, "0-0"));
    const pass = await measured(redis, () => reconcileAll(reconciler.dependencies, { ...reconciler.options, eventIds: [current.eventId] }));
    const sweepIdle = await measured(redis, () => expireDueHolds(redis, reconciler.dependencies.scripts, expiryOptions));

    await makeHolds(redis, current, made, backlog, 600_000);
    const more = await measured(redis, () => project(redis, catalog, current.eventId, catchUp.value.cursor));

    await makeHolds(redis, current, made, due, 1);
    await Bun.sleep(5);
    const sweepDue = await measured(redis, () => expireDueHolds(redis, reconciler.dependencies.scripts, expiryOptions));
    await project(redis, catalog, current.eventId, more.value.cursor);
    const passAfter = await measured(redis, () =>
      reconcileAll(reconciler.dependencies, { ...reconciler.options, eventIds: [current.eventId] }),
    );
    // Redis loses the event (its keys, not the global lookups): the reconciler rebuilds it from
    // PostgreSQL, which has every hold, while a sale would go on beside it.
    await removeEventKeys(redis, current.eventId);
    // No wait for a projector's Kafka lag: this bench applies the outbox to PostgreSQL itself.
    const rebuildOptions = { ...reconciler.options, eventIds: [current.eventId], lagWaitMs: 0 };
    const rebuild = await longestCommand(redis, () => measured(redis, () => reconcileAll(reconciler.dependencies, rebuildOptions)));
    const rebuiltHolds = await redis.zcard(keys.expiry);

    return {
      holds,
      setupMs: setup.ms,
      perHold,
      catchUp,
      pass,
      passAfter,
      rebuild: { ...rebuild.result, longestMs: rebuild.longestMs, holds: rebuiltHolds },
      sweepIdle,
      sweepDue,
      more,
    };
  } finally {
    if (sale) await removeSale(redis, sale, made);
    await reconciler.close();
    await closeRedis(redis);
    await catalog.close();
  }
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(0));
type Result = Awaited<ReturnType<typeof measureSize>>;
const rows: [string, (result: Result) => string][] = [
  ["setup: N holds through reserve.lua (s)", (r) => (r.setupMs / 1000).toFixed(1)],
  ["projector: catch up on all N events (s)", (r) => (r.catchUp.ms / 1000).toFixed(1)],
  ["projector: per event, N events (ms)", (r) => ms(r.catchUp.ms / r.catchUp.value.applied)],
  [`projector: per event, ${backlog} more on top of N (ms)`, (r) => ms(r.more.ms / r.more.value.applied)],
  ["reconciler pass: wall (ms)", (r) => `${ms(r.pass.ms)} (${r.pass.value.result})`],
  ["reconciler pass: bench process CPU (ms)", (r) => ms(r.pass.cpuMs)],
  ["reconciler pass: Redis commands", (r) => String(r.pass.commands)],
  ["reconciler pass after the sweep: wall (ms)", (r) => `${ms(r.passAfter.ms)} (${r.passAfter.value.result})`],
  ["rebuild after Redis lost the event: wall (ms)", (r) => `${ms(r.rebuild.ms)} (${r.rebuild.holds} holds back)`],
  ["rebuild: longest single Redis command (ms)", (r) => ms(r.rebuild.longestMs)],
  ["expiry sweep, nothing due: wall (ms)", (r) => ms(r.sweepIdle.ms)],
  ["expiry sweep, nothing due: Redis commands", (r) => String(r.sweepIdle.commands)],
  [`expiry sweep, ${due} due: wall (ms)`, (r) => `${ms(r.sweepDue.ms)} (${r.sweepDue.value} expired)`],
  [`expiry sweep, ${due} due: Redis commands`, (r) => String(r.sweepDue.commands)],
  ["Redis used_memory delta per live hold (bytes)", (r) => r.perHold.usedMemory.toFixed(0)],
  ["  MEMORY USAGE booking hash", (r) => String(r.perHold.booking)],
  ["  MEMORY USAGE idempotency record", (r) => String(r.perHold.idempotency)],
  ["  MEMORY USAGE booking → event key", (r) => String(r.perHold.bookingEvent)],
  ["  expiry sorted set / N", (r) => r.perHold.expiryEntry.toFixed(0)],
  ["  outbox stream / N (until the relay deletes it)", (r) => r.perHold.outboxEntry.toFixed(0)],
];
const width = Math.max(...rows.map(([label]) => label.length));
function printTable(results: Result[]) {
  console.log(`| ${"what".padEnd(width)} | ${results.map((r) => `N = ${r.holds.toLocaleString("en")}`).join(" | ")} |`);
  console.log(`| ${"-".repeat(width)} | ${results.map(() => "---").join(" | ")} |`);
  for (const [label, cell] of rows) console.log(`| ${label.padEnd(width)} | ${results.map(cell).join(" | ")} |`);
}

const results: Result[] = [];
for (const holds of sizes) {
  console.error(`bench-growth: ${holds} holds ...`);
  results.push(await measureSize(holds));
  // Each size as soon as it is measured, the whole table at the end.
  if (sizes.length > 1) printTable(results.slice(-1));
}
console.log();
printTable(results);
process.exit(0);
