/** The reconciler's scripts straight against Redis (through Sentinel): fencing, compare-and-set, rebuild. */
import { afterAll, describe, expect, test } from "bun:test";
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

const repair = (target: Awaited<ReturnType<typeof zone>>, token: number, seq: number, sold: number) =>
  repairZoneScript(lua, { eventId: target.eventId, zoneId: target.zoneId, token, comparedSeq: seq, sold, soldSeats: {} });

describe("repair-zone.lua", () => {
  test("the newest token at the compared seq writes PostgreSQL's sold and the holds Redis has", async () => {
    const target = await zone({ reserved: 5, sold: 9, seq: 4 });
    const bookingId = crypto.randomUUID();
    await redis.hset(target.keys.booking(bookingId), { status: "reserved", zone_id: target.zoneId, quantity: 2, seat_ids: "" });
    await redis.zadd(target.keys.expiry, Date.now() + 60_000, bookingId);
    const [status, json] = await repair(target, 7, 4, 3);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toEqual({ reserved: 2, sold: 3, waitlisted: 0 });
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold", "seq")).toEqual(["2", "3", "4"]);
  });

  test("waitlisted is recounted from the zone's waitlist: Redis is the truth for who waits", async () => {
    const target = await zone({ reserved: 0, sold: 10, seq: 6 });
    await redis.hset(target.keys.zone(target.zoneId), { waitlisted: 7, waitlist_seq: 3 });
    await redis.zadd(target.keys.zoneWaitlist(target.zoneId), 2, crypto.randomUUID(), 3, crypto.randomUUID());
    const [status, json] = await repair(target, 7, 6, 10);
    expect(status).toBe("ok");
    expect(JSON.parse(json)).toEqual({ reserved: 0, sold: 10, waitlisted: 2 });
    expect(await redis.hmget(target.keys.zone(target.zoneId), "waitlisted", "waitlist_seq", "seq")).toEqual(["2", "3", "6"]);
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
