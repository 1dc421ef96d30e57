import { afterAll, describe, expect, test } from "bun:test";
import { type EventInventory, eventKeys, loadEventInventory, type ZoneInventory } from "@booking-rush/lib/inventory";
import { luaDirect } from "@booking-rush/test-support/lua-direct";
import { confirmScript, expireScript, releaseScript, reserveScript } from "../src/booking-scripts";

/** The waitlist's scripts straight against Redis (through Sentinel): join, promotion, leaving, closing, min age. */
const direct = luaDirect("waitlist-lua");
const { redis, lua } = direct;

afterAll(() => direct.close());

const holdMs = 600_000;

async function sale(zone: Omit<ZoneInventory, "id"> = { kind: "general", total: 2, price: 1 }, overrides: Partial<EventInventory> = {}) {
  const event: EventInventory = {
    id: crypto.randomUUID(),
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    waitlistLimit: 5,
    shows: [{ id: crypto.randomUUID(), zones: [{ id: crypto.randomUUID(), ...zone }] }],
    ...overrides,
  };
  await loadEventInventory(redis, event);
  direct.track(event.id);
  const zoneId = event.shows[0]!.zones[0]!.id;
  const keys = eventKeys(event.id);
  return { eventId: event.id, showId: event.shows[0]!.id, zoneId, keys, zoneKey: keys.zone(zoneId) };
}

type Sale = Awaited<ReturnType<typeof sale>>;

async function reserve(
  target: Sale,
  user: string,
  quantity: number,
  options: { join?: boolean; seatIds?: string[]; birthdate?: string; holdMs?: number } = {},
) {
  const bookingId = crypto.randomUUID();
  const [outcome, ...rest] = await reserveScript(lua, {
    eventId: target.eventId,
    showId: target.showId,
    zoneId: target.zoneId,
    bookingId,
    userId: user,
    idempotencyKey: bookingId,
    requestHash: `hash-${quantity}`,
    quantity,
    seatIds: options.seatIds ?? [],
    holdMs: options.holdMs ?? holdMs,
    rateBurst: 1_000,
    ratePerMinute: 60_000,
    queuePassId: "",
    idempotencyTtlSeconds: 600,
    joinWaitlist: options.join ?? false,
    birthdate: options.birthdate,
  });
  if (outcome === "error") return { outcome, code: rest[0], details: JSON.parse(rest[1]!) };
  return { outcome, booking: JSON.parse(rest[0]!) };
}

const release = async (target: Sale, bookingId: string) =>
  releaseScript(lua, { eventId: target.eventId, bookingId, userId: "", recordTtlSeconds: 60 });

const zone = async (target: Sale) => {
  const fields = await redis.hgetall(target.zoneKey);
  return { reserved: Number(fields.reserved), sold: Number(fields.sold), waitlisted: Number(fields.waitlisted), seq: Number(fields.seq) };
};
const waitlist = (target: Sale) => redis.zrange(target.keys.zoneWaitlist(target.zoneId), "0", "-1");
const booking = (target: Sale, bookingId: string) => redis.hgetall(target.keys.booking(bookingId));

/** The outbox entries of the sale as [type, booking_id, status] in order. */
async function outbox(target: Sale) {
  const entries = await redis.xrange(target.keys.outbox, "-", "+");
  return entries.map(([, fields]) => {
    const entry = Object.fromEntries(fields.flatMap((_, index) => (index % 2 === 0 ? [[fields[index], fields[index + 1]]] : [])));
    const payload = JSON.parse(entry.payload!);
    return [entry.type, payload.booking_id, payload.status];
  });
}

/** Waits until Redis' clock (what the scripts read) is past `ms`. */
async function serverClockPast(ms: number) {
  for (;;) {
    const [seconds, micros] = await redis.time();
    if (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) > ms) return;
    await Bun.sleep(20);
  }
}

describe("joining a zone's waitlist (reserve.lua with join_waitlist)", () => {
  test("a sold-out zone gives places 1..n, one per buyer, up to the limit; the quantity counts towards the buyer's limit", async () => {
    const target = await sale({ kind: "general", total: 2, price: 1 }, { waitlistLimit: 3 });
    expect((await reserve(target, crypto.randomUUID(), 2)).outcome).toBe("ok");

    const refused = await reserve(target, crypto.randomUUID(), 1);
    expect(refused).toMatchObject({ code: "INSUFFICIENT_STOCK", details: { available: 0, requested: 1 } });

    const [ann, bob, cy] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const first = await reserve(target, ann, 2, { join: true });
    expect(first.booking).toMatchObject({ status: "waitlisted", waitlist_position: 1, quantity: 2 });
    expect(first.booking.seat_ids).toBeUndefined();
    expect((await reserve(target, bob, 1, { join: true })).booking).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
    expect(await reserve(target, ann, 1, { join: true })).toMatchObject({
      code: "ALREADY_WAITLISTED",
      details: { booking_id: first.booking.booking_id, waitlist_position: 1 },
    });
    expect((await reserve(target, cy, 1, { join: true })).booking).toMatchObject({ waitlist_position: 3 });
    expect(await reserve(target, crypto.randomUUID(), 1, { join: true })).toMatchObject({ code: "WAITLIST_FULL", details: { limit: 3 } });
    // Ann waits for 2 of her 4: 3 more would pass the limit, waiting or not.
    expect(await reserve(target, ann, 3, { join: true })).toMatchObject({ code: "MAX_PER_USER_EXCEEDED", details: { already: 2 } });

    expect(await zone(target)).toMatchObject({ reserved: 2, sold: 0, waitlisted: 3, seq: 4 });
    expect(await waitlist(target)).toHaveLength(3);
    expect(await redis.hget(target.keys.userTickets, ann)).toBe("2");
    expect((await outbox(target)).map(([type]) => type)).toEqual(["booking.created", ...Array(3).fill("booking.waitlisted")]);
    // A waiting place lasts until the booking window closes; it is not a hold.
    const record = await booking(target, first.booking.booking_id);
    expect(record).toMatchObject({ status: "waitlisted", waitlist_position: "1", hold_ms: String(holdMs) });
    expect(await redis.zscore(target.keys.expiry, first.booking.booking_id)).toBeNull();
  });

  test("an event without a waitlist (limit 0) answers WAITLIST_FULL and writes nothing", async () => {
    const target = await sale({ kind: "general", total: 1, price: 1 }, { waitlistLimit: 0 });
    expect((await reserve(target, crypto.randomUUID(), 1)).outcome).toBe("ok");
    const before = await zone(target);
    expect(await reserve(target, crypto.randomUUID(), 1, { join: true })).toMatchObject({ code: "WAITLIST_FULL", details: { limit: 0 } });
    expect(await zone(target)).toEqual(before);
  });

  test("a zone that can serve the request gives a hold even when join_waitlist is set", async () => {
    const target = await sale();
    expect((await reserve(target, crypto.randomUUID(), 1, { join: true })).booking).toMatchObject({ status: "reserved" });
    expect(await zone(target)).toMatchObject({ reserved: 1, waitlisted: 0 });
  });
});

describe("promotion: seats that come back go to the waitlist in the same step", () => {
  test("a cancelled hold's seats go to the head; a newcomer cannot take free seats while anyone waits", async () => {
    const target = await sale({ kind: "general", total: 3, price: 1 });
    const held = await reserve(target, crypto.randomUUID(), 3);
    const head = await reserve(target, crypto.randomUUID(), 2, { join: true });
    const second = await reserve(target, crypto.randomUUID(), 2, { join: true });

    const released = await release(target, held.booking.booking_id);
    expect(released[0]).toBe("ok");
    // 3 seats back: the head (2) is promoted; the second (2) does not fit the 1 left and keeps its place.
    const promoted = await booking(target, head.booking.booking_id);
    expect(promoted).toMatchObject({ status: "reserved", waitlist_position: "1" });
    expect(Number(promoted.expires_at_ms) - Number(promoted.promoted_at_ms)).toBe(holdMs);
    expect(await redis.zscore(target.keys.expiry, head.booking.booking_id)).toBe(promoted.expires_at_ms!);
    expect(await waitlist(target)).toEqual([second.booking.booking_id]);
    expect(await zone(target)).toMatchObject({ reserved: 2, waitlisted: 1 });

    // The one free seat is kept for the waiting buyer: a newcomer is refused (or may wait too).
    expect(await reserve(target, crypto.randomUUID(), 1)).toMatchObject({
      code: "INSUFFICIENT_STOCK",
      details: { available: 0, waitlisted: 1 },
    });
    const events = await outbox(target);
    expect(events.slice(-2)).toEqual([
      ["booking.cancelled", held.booking.booking_id, "cancelled"],
      ["booking.promoted", head.booking.booking_id, "reserved"],
    ]);
    expect(await redis.hget(target.keys.userTickets, promoted.user_id!)).toBe("2");
  });

  test("a quantity-2 head keeps its place while a quantity-1 behind it is served", async () => {
    const target = await sale({ kind: "general", total: 1, price: 1 });
    const held = await reserve(target, crypto.randomUUID(), 1);
    const head = await reserve(target, crypto.randomUUID(), 2, { join: true });
    const second = await reserve(target, crypto.randomUUID(), 1, { join: true });
    await release(target, held.booking.booking_id);
    expect((await booking(target, second.booking.booking_id)).status).toBe("reserved");
    expect((await booking(target, head.booking.booking_id)).status).toBe("waitlisted");
    expect(await waitlist(target)).toEqual([head.booking.booking_id]);
    expect(await zone(target)).toMatchObject({ reserved: 1, waitlisted: 1 });
  });

  test("the sweeper's expiry and a late confirmation promote too", async () => {
    const target = await sale({ kind: "general", total: 2, price: 1 });
    const short = await reserve(target, crypto.randomUUID(), 1, { holdMs: 1 });
    const late = await reserve(target, crypto.randomUUID(), 1, { holdMs: 1 });
    const [first, second] = [
      await reserve(target, crypto.randomUUID(), 1, { join: true }),
      await reserve(target, crypto.randomUUID(), 1, { join: true }),
    ];
    await serverClockPast(Number(late.booking.expires_at_ms));

    const confirmed = await confirmScript(lua, {
      eventId: target.eventId,
      bookingId: late.booking.booking_id,
      userId: "",
      paymentId: crypto.randomUUID(),
      recordTtlSeconds: 60,
    });
    expect(confirmed.slice(0, 2)).toEqual(["error", "RESERVATION_EXPIRED"]);
    expect((await booking(target, first.booking.booking_id)).status).toBe("reserved");

    expect(await expireScript(lua, { eventId: target.eventId, batchSize: 10, recordTtlSeconds: 60 })).toEqual({
      expired: 1,
      waitlistClosed: 0,
    });
    expect((await booking(target, short.booking.booking_id)).status).toBe("expired");
    expect((await booking(target, second.booking.booking_id)).status).toBe("reserved");
    expect(await zone(target)).toMatchObject({ reserved: 2, waitlisted: 0 });
  });

  test("in an assigned zone the promoted booking gets free seats of the zone", async () => {
    const seatIds = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const target = await sale({ kind: "assigned", total: 3, price: 1, seatIds });
    const held = await reserve(target, crypto.randomUUID(), 0, { seatIds: [seatIds[0]!, seatIds[1]!] });
    const other = await reserve(target, crypto.randomUUID(), 0, { seatIds: [seatIds[2]!] });
    expect([held.outcome, other.outcome]).toEqual(["ok", "ok"]);
    const taken = await reserve(target, crypto.randomUUID(), 0, { seatIds: [seatIds[2]!] });
    expect(taken).toMatchObject({ code: "SEAT_UNAVAILABLE" });
    const waiting = await reserve(target, crypto.randomUUID(), 0, { seatIds: [seatIds[2]!, seatIds[1]!], join: true });
    expect(waiting.booking).toMatchObject({ status: "waitlisted", quantity: 2 });

    await release(target, held.booking.booking_id);
    const promoted = await booking(target, waiting.booking.booking_id);
    expect(promoted.status).toBe("reserved");
    expect(promoted.seat_ids!.split(",").sort()).toEqual([seatIds[0]!, seatIds[1]!].sort());
    const seats = await redis.hgetall(target.keys.zoneSeats(target.zoneId));
    expect(seats[seatIds[0]!]).toBe(`held:${waiting.booking.booking_id}`);
    expect(seats[seatIds[1]!]).toBe(`held:${waiting.booking.booking_id}`);
    expect(seats[seatIds[2]!]).toBe(`held:${other.booking.booking_id}`);
  });
});

describe("leaving and closing a waitlist", () => {
  test("a waiting buyer who cancels leaves: those behind move up, no seat moves, the tickets count goes back", async () => {
    const target = await sale({ kind: "general", total: 1, price: 1 });
    await reserve(target, crypto.randomUUID(), 1);
    const leaver = crypto.randomUUID();
    const first = await reserve(target, leaver, 1, { join: true });
    const second = await reserve(target, crypto.randomUUID(), 1, { join: true });
    const [outcome, view] = await releaseScript(lua, {
      eventId: target.eventId,
      bookingId: first.booking.booking_id,
      userId: leaver,
      recordTtlSeconds: 60,
    });
    expect(outcome).toBe("ok");
    expect(JSON.parse(view!)).toMatchObject({ status: "cancelled", previous_status: "waitlisted" });
    expect(await waitlist(target)).toEqual([second.booking.booking_id]);
    expect(await zone(target)).toMatchObject({ reserved: 1, waitlisted: 1 });
    expect(await redis.hget(target.keys.userTickets, leaver)).toBeNull();
    expect(await redis.hget(target.keys.zoneWaitlisters(target.zoneId), leaver)).toBeNull();
    expect((await outbox(target)).at(-1)).toEqual(["booking.cancelled", first.booking.booking_id, "cancelled"]);
    // Cancelling again answers the same; the buyer may join again, at the end.
    expect(
      (await releaseScript(lua, { eventId: target.eventId, bookingId: first.booking.booking_id, userId: leaver, recordTtlSeconds: 60 }))[0],
    ).toBe("ok");
    expect((await reserve(target, leaver, 1, { join: true })).booking).toMatchObject({ waitlist_position: 2 });
  });

  test("after the booking window closes nobody is promoted, and the sweeper closes the waitlist with booking.waitlist_closed", async () => {
    const closesAt = Date.now() + 1_500;
    const target = await sale({ kind: "general", total: 1, price: 1 }, { closesAt: new Date(closesAt) });
    const held = await reserve(target, crypto.randomUUID(), 1);
    const waiting = [
      await reserve(target, crypto.randomUUID(), 1, { join: true }),
      await reserve(target, crypto.randomUUID(), 1, { join: true }),
    ];
    expect(waiting.map((place) => place.booking.expires_at_ms)).toEqual([closesAt, closesAt]);
    await serverClockPast(closesAt);

    await release(target, held.booking.booking_id);
    expect(await zone(target)).toMatchObject({ reserved: 0, waitlisted: 2 });

    expect(await expireScript(lua, { eventId: target.eventId, batchSize: 1, recordTtlSeconds: 60 })).toEqual({
      expired: 0,
      waitlistClosed: 1,
    });
    expect(await expireScript(lua, { eventId: target.eventId, batchSize: 1, recordTtlSeconds: 60 })).toEqual({
      expired: 0,
      waitlistClosed: 1,
    });
    expect(await expireScript(lua, { eventId: target.eventId, batchSize: 1, recordTtlSeconds: 60 })).toEqual({
      expired: 0,
      waitlistClosed: 0,
    });
    for (const place of waiting) expect((await booking(target, place.booking.booking_id)).status).toBe("cancelled");
    expect(await zone(target)).toMatchObject({ reserved: 0, waitlisted: 0 });
    expect(await redis.hlen(target.keys.userTickets)).toBe(0);
    expect((await outbox(target)).slice(-2).map(([type]) => type)).toEqual(["booking.waitlist_closed", "booking.waitlist_closed"]);
  });

  test("a cancelled event's waitlist closes at the next sweep", async () => {
    const target = await sale({ kind: "general", total: 1, price: 1 });
    await reserve(target, crypto.randomUUID(), 1);
    const place = await reserve(target, crypto.randomUUID(), 1, { join: true });
    await redis.hset(target.keys.event, "status", "cancelled");
    expect(await expireScript(lua, { eventId: target.eventId, batchSize: 10, recordTtlSeconds: 60 })).toEqual({
      expired: 0,
      waitlistClosed: 1,
    });
    expect((await booking(target, place.booking.booking_id)).status).toBe("cancelled");
  });
});

describe("an event's min age (reserve.lua)", () => {
  /** 'YYYY-MM-DD' of Redis' today (what the script reads), `years` years back, plus `days`. */
  async function bornYearsAgo(years: number, days = 0) {
    const [seconds] = await redis.time();
    const today = new Date(Number(seconds) * 1000);
    const date = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate() + days));
    return date.toISOString().slice(0, 10);
  }

  test("no date of birth, or one day too young, is refused and changes nothing; 18 today is served", async () => {
    const target = await sale({ kind: "general", total: 5, price: 1 }, { minAge: 18 });
    const before = await zone(target);
    expect(await reserve(target, crypto.randomUUID(), 1)).toMatchObject({
      code: "AGE_RESTRICTED",
      details: { min_age: 18, reason: "date_of_birth_required" },
    });
    const tooYoung = await reserve(target, crypto.randomUUID(), 1, { birthdate: await bornYearsAgo(18, 1), join: true });
    expect(tooYoung).toMatchObject({ code: "AGE_RESTRICTED", details: { min_age: 18, reason: "too_young" } });
    expect(await zone(target)).toEqual(before);
    expect((await reserve(target, crypto.randomUUID(), 1, { birthdate: await bornYearsAgo(18) })).booking).toMatchObject({
      status: "reserved",
    });
  });

  test("an event without a min age does not look at the date", async () => {
    const target = await sale();
    expect((await reserve(target, crypto.randomUUID(), 1)).outcome).toBe("ok");
    expect((await reserve(target, crypto.randomUUID(), 1, { birthdate: await bornYearsAgo(3) })).outcome).toBe("ok");
  });
});
