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
    expect(await repair(target, 7, 4, 3)).toEqual(["ok", JSON.stringify({ reserved: 2, sold: 3 })]);
    expect(await redis.hmget(target.keys.zone(target.zoneId), "reserved", "sold", "seq")).toEqual(["2", "3", "4"]);
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
  });
});
