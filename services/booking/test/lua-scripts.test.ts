import { afterAll, describe, expect, test } from "bun:test";
import { type EventInventory, eventKeys, loadEventInventory } from "@booking-rush/lib/inventory";
import { eventually } from "@booking-rush/test-support/eventually";
import { luaDirect } from "@booking-rush/test-support/lua-direct";
import {
  confirmScript,
  expireScript,
  outboxLeaseReleaseScript,
  outboxLeaseScript,
  releaseScript,
  reserveScript,
} from "../src/booking-scripts";

/** The scripts straight against Redis (through Sentinel), without the service around them. */
const direct = luaDirect("lua-direct");
const { redis, lua } = direct;

afterAll(() => direct.close());

async function sale(total = 10, overrides: Partial<EventInventory> = {}) {
  const event: EventInventory = {
    id: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    shows: [{ id: crypto.randomUUID(), zones: [{ id: crypto.randomUUID(), kind: "general", total, price: 1 }] }],
    ...overrides,
  };
  await loadEventInventory(redis, event);
  direct.track(event.id);
  return { eventId: event.id, showId: event.shows[0]!.id, zoneId: event.shows[0]!.zones[0]!.id, keys: eventKeys(event.id) };
}

type Sale = Awaited<ReturnType<typeof sale>>;

function reserve(
  target: Sale,
  user: string,
  quantity: number,
  options: { holdMs?: number; burst?: number; perMinute?: number; queuePassId?: string; key?: string } = {},
) {
  const bookingId = crypto.randomUUID();
  return reserveScript(lua, {
    eventId: target.eventId,
    showId: target.showId,
    zoneId: target.zoneId,
    bookingId,
    userId: user,
    idempotencyKey: options.key ?? bookingId,
    requestHash: `hash-${quantity}`,
    quantity,
    seatIds: [],
    holdMs: options.holdMs ?? 600_000,
    rateBurst: options.burst ?? 10,
    ratePerMinute: options.perMinute ?? 20,
    queuePassId: options.queuePassId ?? "",
    idempotencyTtlSeconds: 600,
  });
}

const expire = async (target: Sale, batch: number) =>
  (await expireScript(lua, { eventId: target.eventId, batchSize: batch, recordTtlSeconds: 60 })).expired;

/** Every key of the sale, dumped: a failed check must leave all of them byte for byte. */
async function snapshot(target: Sale) {
  const keys = (await redis.keys(`${target.keys.tag}*`)).filter((key) => !key.includes(":rate:")).sort();
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString("hex")])));
}

describe("reserve.lua", () => {
  test("each failed check leaves every key of the event untouched", async () => {
    const target = await sale(3);
    const user = crypto.randomUUID();
    expect((await reserve(target, user, 2))[0]).toBe("ok");
    const before = await snapshot(target);
    const tooMany = await reserve(target, user, 3);
    expect(tooMany.slice(0, 2)).toEqual(["error", "MAX_PER_USER_EXCEEDED"]);
    const soldOut = await reserve(target, crypto.randomUUID(), 2);
    expect(soldOut.slice(0, 2)).toEqual(["error", "INSUFFICIENT_STOCK"]);
    expect(JSON.parse(soldOut[2]!)).toEqual({ available: 1, requested: 2 });
    expect(await snapshot(target)).toEqual(before);
  });

  test("the token bucket refuses past the burst with a retry time, and the buyer's live queue pass skips it", async () => {
    const target = await sale(100, { maxTicketsPerUser: 100 });
    const user = crypto.randomUUID();
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await reserve(target, user, 1, { burst: 3, perMinute: 1 }))[0]).toBe("ok");
    const limited = await reserve(target, user, 1, { burst: 3, perMinute: 1 });
    expect(limited.slice(0, 2)).toEqual(["error", "RATE_LIMITED"]);
    expect(JSON.parse(limited[2]!).retry_after_ms).toBeGreaterThan(50_000);
    // Without a waiting room a pass means nothing: still limited.
    expect((await reserve(target, user, 1, { burst: 3, perMinute: 1, queuePassId: "7" })).slice(0, 2)).toEqual(["error", "RATE_LIMITED"]);
    await redis.hset(target.keys.queue, "enabled", "1");
    await redis.hset(target.keys.queuePass, user, "7");
    const before = await snapshot(target);
    expect((await reserve(target, user, 1, { burst: 3, perMinute: 1, queuePassId: "6" })).slice(0, 2)).toEqual(["error", "QUEUE_REQUIRED"]);
    expect((await reserve(target, user, 1, { burst: 3, perMinute: 1 })).slice(0, 2)).toEqual(["error", "QUEUE_REQUIRED"]);
    expect(await snapshot(target)).toEqual(before);
    expect((await reserve(target, user, 1, { burst: 3, perMinute: 1, queuePassId: "7" }))[0]).toBe("ok");
  });

  test("outside the booking window nothing is held", async () => {
    const target = await sale(10, { opensAt: new Date(Date.now() + 60_000), closesAt: new Date(Date.now() + 120_000) });
    const reply = await reserve(target, crypto.randomUUID(), 1);
    expect(reply.slice(0, 2)).toEqual(["error", "BOOKING_NOT_OPEN"]);
    expect(await redis.hget(target.keys.zone(target.zoneId), "reserved")).toBe("0");
  });
});

describe("expire.lua", () => {
  test("expires due holds in bounded batches, returns the seats, writes booking.expired once each", async () => {
    const target = await sale(10, { maxTicketsPerUser: 10 });
    for (let index = 0; index < 5; index += 1) expect((await reserve(target, crypto.randomUUID(), 1, { holdMs: 1 }))[0]).toBe("ok");
    const live = await reserve(target, crypto.randomUUID(), 2, { holdMs: 600_000 });
    expect(live[0]).toBe("ok");
    // Due once the server clock passes the 1 ms hold: the script reads Redis TIME itself.
    const serverSecond = async () => Number((await redis.time())[0]);
    const started = await serverSecond();
    while ((await serverSecond()) === started) await Bun.sleep(50);
    expect(await expire(target, 2)).toBe(2);
    expect(await expire(target, 2)).toBe(2);
    expect(await expire(target, 2)).toBe(1);
    expect(await expire(target, 2)).toBe(0);
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold")).toEqual(["2", "0"]);
    expect(await redis.zcard(target.keys.expiry)).toBe(1);
    const types = (await redis.xrange(target.keys.outbox, "-", "+")).map(([, fields]) => fields[fields.indexOf("type") + 1]);
    expect(types.filter((type) => type === "booking.expired")).toHaveLength(5);
    expect(Object.keys(await redis.hgetall(target.keys.userTickets))).toHaveLength(1);
  });

  test("a stale expiry entry (record gone) is dropped without touching inventory", async () => {
    const target = await sale(10);
    await redis.zadd(target.keys.expiry, 1, crypto.randomUUID());
    expect(await expire(target, 10)).toBe(0);
    expect(await redis.zcard(target.keys.expiry)).toBe(0);
    expect(await redis.hget(target.keys.zone(target.zoneId), "seq")).toBe("0");
  });
});

describe("release.lua and confirm.lua", () => {
  test("cancelling a confirmed booking gives sold seats back and tells the previous status", async () => {
    const target = await sale(10);
    const user = crypto.randomUUID();
    const reserved = JSON.parse((await reserve(target, user, 3))[1]);
    const { keys } = target;
    const change = { eventId: target.eventId, bookingId: reserved.booking_id, userId: user, recordTtlSeconds: 60 };
    const confirmed = await confirmScript(lua, { ...change, paymentId: "payment-1" });
    expect(confirmed[0]).toBe("ok");
    expect(await redis.hmget(keys.zone(target.zoneId), "reserved", "sold")).toEqual(["0", "3"]);
    const released = await releaseScript(lua, change);
    expect(JSON.parse(released[1]!)).toMatchObject({ status: "cancelled", previous_status: "confirmed" });
    expect(await redis.hmget(keys.zone(target.zoneId), "reserved", "sold", "seq")).toEqual(["0", "0", "3"]);
    expect(await redis.ttl(keys.booking(reserved.booking_id))).toBeGreaterThan(0);
  });

  test("the payment saga confirms without a user id; a wrong user id is NOT_FOUND", async () => {
    const target = await sale(10);
    const reserved = JSON.parse((await reserve(target, crypto.randomUUID(), 1))[1]);
    const change = { eventId: target.eventId, bookingId: reserved.booking_id, paymentId: "p", recordTtlSeconds: 60 };
    expect((await confirmScript(lua, { ...change, userId: crypto.randomUUID() })).slice(0, 2)).toEqual(["error", "NOT_FOUND"]);
    expect((await confirmScript(lua, { ...change, userId: "" }))[0]).toBe("ok");
  });
});

describe("outbox-lease.lua and outbox-lease-release.lua", () => {
  const take = (target: Sale, relay: string, leaseMs: number) =>
    outboxLeaseScript(lua, { eventId: target.eventId, holder: relay, leaseMs });
  const release = (target: Sale, relay: string) => outboxLeaseReleaseScript(lua, { eventId: target.eventId, holder: relay });

  test("one holder at a time; the holder renews; only the holder releases", async () => {
    const target = await sale();
    expect(await take(target, "relay-a", 5_000)).toBe(1);
    expect(await take(target, "relay-b", 5_000)).toBe(0);
    expect(await redis.get(target.keys.outboxLease)).toBe("relay-a");

    await redis.pexpire(target.keys.outboxLease, 1_000);
    expect(await take(target, "relay-a", 60_000)).toBe(1);
    expect(await redis.pttl(target.keys.outboxLease)).toBeGreaterThan(59_000);

    expect(await release(target, "relay-b")).toBe(0);
    expect(await redis.get(target.keys.outboxLease)).toBe("relay-a");
    expect(await release(target, "relay-a")).toBe(1);
    expect(await redis.exists(target.keys.outboxLease)).toBe(0);
    expect(await take(target, "relay-b", 5_000)).toBe(1);
  });

  test("a lease that is not renewed runs out and another relay takes it", async () => {
    const target = await sale();
    expect(await take(target, "relay-a", 200)).toBe(1);
    expect(await take(target, "relay-b", 5_000)).toBe(0);
    await eventually(async () => expect(await take(target, "relay-b", 5_000)).toBe(1), { timeoutMs: 3_000 });
    expect(await redis.get(target.keys.outboxLease)).toBe("relay-b");
  });
});
