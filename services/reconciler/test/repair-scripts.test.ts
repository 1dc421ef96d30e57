/** The reconciler's scripts straight against Redis (through Sentinel): fencing, compare-and-set, rebuild. */
import { afterAll, describe, expect, test } from "bun:test";
import { reserveScript } from "@booking-rush/booking/booking-scripts";
import { eventKeys, loadEventInventory } from "@booking-rush/lib/inventory";
import { luaDirect } from "@booking-rush/test-support/lua-direct";
import type { PostgresBooking } from "../src/postgres-side";
import { type RebuildZonesCommand, rebuildZonesScript, repairZoneScript, restoreBookingsScript } from "../src/repair-scripts";

const direct = luaDirect("repair-scripts");
const { redis, lua } = direct;

afterAll(() => direct.close());

async function zone(counts: { reserved: number; sold: number; seq: number }) {
  const eventId = crypto.randomUUID();
  const zoneId = crypto.randomUUID();
  direct.track(eventId);
  await loadEventInventory(redis, {
    id: eventId,
    tenantId: crypto.randomUUID(),
    opensAt: new Date(),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    shows: [{ id: crypto.randomUUID(), zones: [{ id: zoneId, kind: "general", total: 10, price: 1 }] }],
  });
  const keys = eventKeys(eventId);
  await redis.hset(keys.zone(zoneId), counts);
  await redis.set(keys.fence, 7);
  return { eventId, zoneId, keys };
}

const holdMs = 600_000;

/** A 6-seat zone of an open sale with a waitlist of 5, the fence at 7. */
async function waitingSale() {
  const eventId = crypto.randomUUID();
  const zoneId = crypto.randomUUID();
  const showId = crypto.randomUUID();
  direct.track(eventId);
  await loadEventInventory(redis, {
    id: eventId,
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: 4,
    waitlistLimit: 5,
    shows: [{ id: showId, zones: [{ id: zoneId, kind: "general", total: 6, price: 1 }] }],
  });
  const keys = eventKeys(eventId);
  await redis.set(keys.fence, 7);
  return { eventId, zoneId, showId, keys };
}

/** A new buyer reserves in the zone, joining its waitlist when it cannot be served (booking's reserve.lua). */
async function join(target: Awaited<ReturnType<typeof waitingSale>>, quantity: number) {
  const bookingId = crypto.randomUUID();
  const reply = await reserveScript(lua, {
    eventId: target.eventId,
    showId: target.showId,
    zoneId: target.zoneId,
    bookingId,
    userId: crypto.randomUUID(),
    idempotencyKey: bookingId,
    requestHash: `hash-${quantity}`,
    quantity,
    seatIds: [],
    holdMs,
    rateBurst: 1_000,
    ratePerMinute: 60_000,
    queuePassId: "",
    idempotencyTtlSeconds: 600,
    joinWaitlist: true,
  });
  expect(reply[0]).toBe("ok");
  return JSON.parse(reply[1]!) as { booking_id: string; status: string; waitlist_position?: number };
}

const repair = (target: { eventId: string; zoneId: string }, token: number, seq: number, sold: number) =>
  repairZoneScript(lua, { eventId: target.eventId, zoneId: target.zoneId, token, comparedSeq: seq, sold, soldSeats: {} });

describe("repair-zone.lua", () => {
  test("the newest token at the compared seq writes PostgreSQL's sold and the holds Redis has", async () => {
    const target = await zone({ reserved: 5, sold: 9, seq: 4 });
    const bookingId = crypto.randomUUID();
    await redis.hset(target.keys.booking(bookingId), { status: "reserved", zone_id: target.zoneId, quantity: 2, seat_ids: "" });
    await redis.zadd(target.keys.expiry, Date.now() + 60_000, bookingId);
    const [status, json] = await repair(target, 7, 4, 3);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toEqual({ reserved: 2, sold: 3, waitlisted: 0, promoted: 0 });
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold", "seq")).toEqual(["2", "3", "4"]);
  });

  test("waitlisted is recounted from the zone's waitlist: Redis is the truth for who waits", async () => {
    const target = await zone({ reserved: 0, sold: 10, seq: 6 });
    await redis.hset(target.keys.zone(target.zoneId), { waitlisted: 7, waitlist_seq: 3 });
    await redis.zadd(target.keys.zoneWaitlist(target.zoneId), 2, crypto.randomUUID(), 3, crypto.randomUUID());
    const [status, json] = await repair(target, 7, 6, 10);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toEqual({ reserved: 0, sold: 10, waitlisted: 2, promoted: 0 });
    expect(await redis.hmget(target.keys.zone(target.zoneId), "waitlisted", "waitlist_seq", "seq")).toEqual(["2", "3", "6"]);
  });

  test("seats the repair frees go to the waiting buyers in join order, each whose quantity fits: holds with their own hold time, booking.promoted", async () => {
    const target = await waitingSale();
    // A hold of 3 and the zone (6 seats) seen as full by a sold that PostgreSQL does not have.
    expect((await join(target, 3)).status).toBe("reserved");
    await redis.hincrby(target.keys.zone(target.zoneId), "sold", 3);
    const waiting = [await join(target, 2), await join(target, 2), await join(target, 1)];
    expect(waiting.map((place) => [place.status, place.waitlist_position])).toEqual([
      ["waitlisted", 1],
      ["waitlisted", 2],
      ["waitlisted", 3],
    ]);
    const seq = Number(await redis.hget(target.keys.zone(target.zoneId), "seq"));
    const outboxBefore = await redis.xlen(target.keys.outbox);

    const before = Date.now();
    const [status, json] = await repair(target, 7, seq, 0);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toEqual({ reserved: 3, sold: 0, waitlisted: 3, promoted: 2 });
    // 3 seats free: the first (2) fits, the second (2) no longer does and keeps its place, the third (1) fits.
    const [first, second, third] = waiting.map((place) => place.booking_id as string);
    for (const promoted of [first!, third!]) {
      const record = await redis.hgetall(target.keys.booking(promoted));
      expect(record.status).toBe("reserved");
      expect(Number(record.expires_at_ms) - Number(record.promoted_at_ms)).toBe(holdMs);
      expect(Number(record.promoted_at_ms)).toBeGreaterThanOrEqual(before - 1_000);
      expect(await redis.zscore(target.keys.expiry, promoted)).toBe(record.expires_at_ms!);
      expect(await redis.zscore(target.keys.zoneWaitlist(target.zoneId), promoted)).toBeNull();
    }
    expect(await redis.hget(target.keys.booking(second!), "status")).toBe("waitlisted");
    expect(await redis.zrank(target.keys.zoneWaitlist(target.zoneId), second!)).toBe(0);
    // Each promotion is a change of the zone: seq + 1 and booking.promoted in the outbox.
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold", "waitlisted", "seq")).toEqual([
      "6",
      "0",
      "1",
      String(seq + 2),
    ]);
    const outbox = await redis.xrange(target.keys.outbox, "-", "+");
    expect(outbox.length).toBe(outboxBefore + 2);
    const promotedEvents = outbox.slice(outboxBefore).map(([, fields]) => fields.join(" "));
    expect(promotedEvents.every((entry) => entry.includes("booking.promoted"))).toBe(true);
    expect(promotedEvents[0]).toContain(first!);
    expect(promotedEvents[1]).toContain(third!);
  });

  test("no promotion once the booking window has closed: the repaired seats stay free, the buyers keep waiting", async () => {
    const target = await waitingSale();
    await redis.hincrby(target.keys.zone(target.zoneId), "sold", 6);
    expect((await join(target, 1)).status).toBe("waitlisted");
    await redis.hset(target.keys.event, "closes_at_ms", Date.now() - 1);
    const seq = Number(await redis.hget(target.keys.zone(target.zoneId), "seq"));
    const [status, json] = await repair(target, 7, seq, 0);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toMatchObject({ waitlisted: 1, promoted: 0 });
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold", "waitlisted", "seq")).toEqual([
      "0",
      "0",
      "1",
      String(seq),
    ]);
  });

  test("an older token is refused and nothing changes", async () => {
    const target = await zone({ reserved: 5, sold: 9, seq: 4 });
    expect(await repair(target, 6, 4, 3)).toEqual(["error", "STALE_LOCK", "{}"]);
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold")).toEqual(["5", "9"]);
  });

  test("a zone that moved since it was compared is left alone (CHANGED)", async () => {
    const target = await zone({ reserved: 5, sold: 9, seq: 5 });
    expect(await repair(target, 7, 4, 3)).toEqual(["error", "CHANGED", JSON.stringify({ seq: 5 })]);
    expect(await redis.hget(target.keys.zone(target.zoneId), "sold")).toBe("9");
  });
});

describe("restore-bookings.lua, then rebuild-zones.lua", () => {
  test("recreates the event, the zone at PostgreSQL's seq and its lost bookings, keeps a hold Redis still has; refuses a stale token", async () => {
    const target = await zone({ reserved: 0, sold: 0, seq: 2 });
    const kept = crypto.randomUUID();
    await redis.del(target.keys.event, target.keys.zone(target.zoneId));
    await redis.hset(target.keys.booking(kept), { status: "reserved", zone_id: target.zoneId, quantity: 1, seat_ids: "" });
    await redis.zadd(target.keys.expiry, Date.now() + 60_000, kept);
    const lost: PostgresBooking = {
      booking_id: crypto.randomUUID(),
      user_id: crypto.randomUUID(),
      event_id: target.eventId,
      show_id: crypto.randomUUID(),
      zone_id: target.zoneId,
      quantity: 2,
      status: "reserved",
      created_at_ms: 1,
      expires_at_ms: Date.now() + 60_000,
      seq: 3,
      seat_ids: [],
    };
    const sold: PostgresBooking = {
      ...lost,
      booking_id: crypto.randomUUID(),
      status: "confirmed",
      quantity: 3,
      seq: 4,
      confirmed_at_ms: 2,
    };
    const payload: RebuildZonesCommand["truth"] = {
      event: {
        status: "published",
        tenant_id: crypto.randomUUID(),
        opens_at_ms: 1,
        closes_at_ms: 2,
        max_per_user: 4,
        waitlist_limit: 0,
        min_age: 0,
      },
      zones: [
        { id: target.zoneId, show_id: lost.show_id, kind: "general", total: 10, price: 1, sold: 3, seq: 4, sold_seats: {}, seat_ids: [] },
      ],
    };
    const restore = (token: number) => restoreBookingsScript(lua, { eventId: target.eventId, token, bookings: [lost, sold] });
    const rebuild = (token: number) => rebuildZonesScript(lua, { eventId: target.eventId, token, truth: payload });
    expect(await restore(6)).toEqual(["error", "STALE_LOCK", "{}"]);
    expect(await rebuild(6)).toEqual(["error", "STALE_LOCK", "{}"]);
    expect(await redis.exists(target.keys.event, target.keys.booking(lost.booking_id))).toBe(0);

    const [restored, restoredJson] = await restore(7);
    expect(restored).toBe("ok");
    expect(JSON.parse(restoredJson)).toEqual({ restored_bookings: 2 });
    // A batch sent again restores nothing twice.
    expect(JSON.parse((await restore(7))[1])).toEqual({ restored_bookings: 0 });
    // Until the zone is rebuilt the restored hold waits outside the expiry set: the sweeper cannot
    // close it against a zone that does not exist yet.
    expect(await redis.zscore(target.keys.expiry, lost.booking_id)).toBeNull();
    expect(await redis.hget(target.keys.restoring, lost.booking_id)).toBe(String(lost.expires_at_ms));

    const [status, json] = await rebuild(7);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toMatchObject({ zones: 1 });
    expect(await redis.exists(target.keys.restoring)).toBe(0);
    expect(await redis.hmget(target.keys.zone(target.zoneId), "total", "reserved", "sold", "seq")).toEqual(["10", "3", "3", "4"]);
    expect(await redis.hget(target.keys.event, "status")).toBe("published");
    expect(await redis.hget(target.keys.booking(sold.booking_id), "status")).toBe("confirmed");
    expect(await redis.zscore(target.keys.expiry, lost.booking_id)).not.toBeNull();
    expect(await redis.hget(target.keys.userTickets, lost.user_id)).toBe("5");
    // No one waited: the rebuilt zone says so.
    expect(await redis.hmget(target.keys.zone(target.zoneId), "waitlisted", "waitlist_seq")).toEqual(["0", "0"]);
    expect(JSON.parse(json)).toMatchObject({ promoted: { [target.zoneId]: 0 } });
  });

  test("waiting places come back in join order, with their positions, the zone's waitlisters, counters and the users' tickets", async () => {
    const target = await zone({ reserved: 0, sold: 10, seq: 9 });
    await redis.del(target.keys.event, target.keys.zone(target.zoneId));
    const closesAtMs = Date.now() + 3_600_000;
    // Joined in seq order 5, 6, 8, 9 at positions 2, 3, 4, 3: the last joined after someone ahead
    // had left, at a position smaller than the one before it; it still queues behind it.
    const waiting = [
      { seq: 5, position: 2, quantity: 1 },
      { seq: 6, position: 3, quantity: 2 },
      { seq: 8, position: 4, quantity: 1 },
      { seq: 9, position: 3, quantity: 3 },
    ].map(
      (place): PostgresBooking => ({
        booking_id: crypto.randomUUID(),
        user_id: crypto.randomUUID(),
        event_id: target.eventId,
        show_id: crypto.randomUUID(),
        zone_id: target.zoneId,
        quantity: place.quantity,
        status: "waitlisted",
        created_at_ms: 1_000 + place.seq,
        expires_at_ms: closesAtMs,
        seq: place.seq,
        seat_ids: [],
        waitlist_position: place.position,
        hold_ms: 600_000,
      }),
    );
    const event = {
      status: "published",
      tenant_id: crypto.randomUUID(),
      opens_at_ms: 1,
      closes_at_ms: closesAtMs,
      max_per_user: 4,
      waitlist_limit: 10,
      min_age: 0,
    };
    const rebuildZone = { id: target.zoneId, show_id: waiting[0]!.show_id, kind: "general" as const, total: 10, price: 1, sold: 10 };
    // Two batches, as the reconciler sends a large event's bookings.
    expect(await restoreBookingsScript(lua, { eventId: target.eventId, token: 7, bookings: waiting.slice(0, 2) })).toEqual([
      "ok",
      JSON.stringify({ restored_bookings: 2 }),
    ]);
    expect(await restoreBookingsScript(lua, { eventId: target.eventId, token: 7, bookings: waiting.slice(2) })).toEqual([
      "ok",
      JSON.stringify({ restored_bookings: 2 }),
    ]);
    // Sent again: nothing twice, not in the waitlist either.
    expect(JSON.parse((await restoreBookingsScript(lua, { eventId: target.eventId, token: 7, bookings: waiting }))[1])).toEqual({
      restored_bookings: 0,
    });
    const [status] = await rebuildZonesScript(lua, {
      eventId: target.eventId,
      token: 7,
      truth: { event, zones: [{ ...rebuildZone, seq: 9, sold_seats: {}, seat_ids: [] }] },
    });
    expect(status).toBe("ok");

    const waitlist = await redis.zrange(target.keys.zoneWaitlist(target.zoneId), "0", "-1", "WITHSCORES");
    expect(waitlist).toEqual([
      waiting[0]!.booking_id,
      "2",
      waiting[1]!.booking_id,
      "3",
      waiting[2]!.booking_id,
      "4",
      waiting[3]!.booking_id,
      "5",
    ]);
    expect(await redis.hmget(target.keys.zone(target.zoneId), "waitlisted", "waitlist_seq", "reserved", "sold", "seq")).toEqual([
      "4",
      "5",
      "0",
      "10",
      "9",
    ]);
    for (const place of waiting) {
      expect(await redis.hget(target.keys.zoneWaitlisters(target.zoneId), place.user_id)).toBe(place.booking_id);
      expect(await redis.hget(target.keys.userTickets, place.user_id)).toBe(String(place.quantity));
      expect(await redis.hgetall(target.keys.booking(place.booking_id))).toMatchObject({
        status: "waitlisted",
        quantity: String(place.quantity),
        waitlist_position: String(place.waitlist_position),
        hold_ms: "600000",
        expires_at_ms: String(closesAtMs),
        created_at_ms: String(place.created_at_ms),
        seq: String(place.seq),
        seat_ids: "",
      });
      // A waiting place holds no seat: it is not in the expiry set.
      expect(await redis.zscore(target.keys.expiry, place.booking_id)).toBeNull();
    }
  });
});
