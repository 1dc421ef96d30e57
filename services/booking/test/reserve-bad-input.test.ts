import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, get, post, tokenFor, zoneCounts } from "@booking-rush/test-support/booking-fixture";

let fixture: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
});
afterAll(() => fixture.close());

describe("bad input on reserve: 400 envelope, nothing mutated", () => {
  test("every field fuzzed", async () => {
    const seatIds = [crypto.randomUUID(), crypto.randomUUID()];
    const sale = await fixture.publish([
      { kind: "general", total: 10, price: 1 },
      { kind: "assigned", total: 2, price: 1, seatIds },
    ]);
    const [general, assigned] = [sale.zones[0]!, sale.zones[1]!];
    const token = await tokenFor(crypto.randomUUID());
    const base = { show_id: sale.showId, zone_id: general.id, quantity: 1 };
    const cases: [string, unknown][] = [
      ["negative quantity", { ...base, quantity: -1 }],
      ["zero quantity", { ...base, quantity: 0 }],
      ["huge quantity", { ...base, quantity: 1_000_000_000_000 }],
      ["fractional quantity", { ...base, quantity: 1.5 }],
      ["quantity as a string", { ...base, quantity: "1" }],
      ["quantity null", { ...base, quantity: null }],
      ["show_id not a uuid", { ...base, show_id: "not-a-uuid" }],
      ["show_id SQL", { ...base, show_id: "1' OR '1'='1" }],
      ["show_id a number", { ...base, show_id: 42 }],
      ["zone_id not a uuid", { ...base, zone_id: "zone-1" }],
      ["zone_id a hash-tag injection", { ...base, zone_id: "}:zone:x" }],
      ["missing show_id", { zone_id: general.id, quantity: 1 }],
      ["missing quantity", { show_id: sale.showId, zone_id: general.id }],
      ["missing zone_id", { show_id: sale.showId, quantity: 1 }],
      ["empty seat list", { show_id: sale.showId, seat_ids: [] }],
      ["duplicated seat ids", { show_id: sale.showId, seat_ids: [seatIds[0], seatIds[0]] }],
      ["seat id not a uuid", { show_id: sale.showId, seat_ids: ["A-1"] }],
      ["seat_ids not an array", { show_id: sale.showId, seat_ids: seatIds[0] }],
      ["too many seats", { show_id: sale.showId, seat_ids: Array.from({ length: 11 }, () => crypto.randomUUID()) }],
      ["seats and a quantity", { show_id: sale.showId, seat_ids: [seatIds[0]], zone_id: assigned.id, quantity: 1 }],
      ["an array body", [base]],
      ["a string body", "reserve please"],
      ["malformed JSON", '{"show_id": '],
      ["empty object", {}],
    ];
    const before = await Promise.all(sale.zones.map((zone) => zoneCounts(fixture, sale.keys.zone(zone.id))));
    const outboxBefore = await fixture.redis.xlen(sale.keys.outbox);
    for (const [name, body] of cases) {
      const result = await post(fixture, "/bookings/reserve", token, body);
      expect({ name, status: result.status }).toEqual({ name, status: 400 });
      expect(result.body.success).toBe(false);
      expect(result.body.error.code).toBe("VALIDATION_ERROR");
      expect(JSON.stringify(result.body)).not.toContain("at ");
    }
    const oversized = JSON.stringify({ ...base, padding: "x".repeat(200_000) });
    const response = await fixture.app.handle(
      new Request("http://localhost/api/v1/bookings/reserve", {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": "k",
          "content-length": String(oversized.length),
        },
        body: oversized,
      }),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");

    const after = await Promise.all(sale.zones.map((zone) => zoneCounts(fixture, sale.keys.zone(zone.id))));
    expect(after).toEqual(before);
    expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(outboxBefore);
    expect(await fixture.redis.hlen(sale.keys.userTickets)).toBe(0);
    expect(await fixture.redis.hmget(sale.keys.zoneSeats(assigned.id), ...seatIds)).toEqual(["", ""]);
  });

  test("a bad Idempotency-Key, a bad traceparent and a missing token are refused", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const body = { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 };
    const token = await tokenFor(crypto.randomUUID());
    expect((await post(fixture, "/bookings/reserve", token, body, "has spaces")).status).toBe(400);
    expect((await post(fixture, "/bookings/reserve", token, body, "k".repeat(129))).status).toBe(400);
    const response = await fixture.app.handle(
      new Request("http://localhost/api/v1/bookings/reserve", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "k" },
        body: JSON.stringify(body),
      }),
    );
    expect(response.status).toBe(401);
    expect(await zoneCounts(fixture, sale.keys.zone(sale.zones[0]!.id))).toMatchObject({ reserved: 0, seq: 0 });
  });

  test("a traceparent that is not valid is ignored (W3C), not refused: the hold is made and records none", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const token = await tokenFor(crypto.randomUUID());
    const response = await fixture.app.handle(
      new Request("http://localhost/api/v1/bookings/reserve", {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": crypto.randomUUID(),
          traceparent: "not-a-trace-context",
        },
        body: JSON.stringify({ show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 }),
      }),
    );
    expect(response.status).toBe(201);
    const entries = await fixture.redis.xrange(sale.keys.outbox, "-", "+");
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain("not-a-trace-context");
  });

  test("a page of bookings past any offset is a VALIDATION_ERROR naming page, not a 500", async () => {
    const token = await tokenFor(crypto.randomUUID());
    for (const query of ["page=1e20", "page=400000000000000000", "per_page=101"]) {
      const result = await get(fixture, `/bookings?${query}`, token);
      expect({ query, status: result.status }).toEqual({ query, status: 400 });
      expect(result.body.error.details.fields[0]).toMatchObject({ in: "query", field: query.split("=")[0] });
    }
  });

  test("unknown show, unknown zone and unknown seats are NOT_FOUND; a closed window is BOOKING_NOT_OPEN", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const token = await tokenFor(crypto.randomUUID());
    const unknownShow = await post(fixture, "/bookings/reserve", token, {
      show_id: crypto.randomUUID(),
      zone_id: sale.zones[0]!.id,
      quantity: 1,
    });
    expect(unknownShow.status).toBe(404);
    const unknownZone = await post(fixture, "/bookings/reserve", token, {
      show_id: sale.showId,
      zone_id: crypto.randomUUID(),
      quantity: 1,
    });
    expect(unknownZone.status).toBe(404);
    const unknownSeat = await post(fixture, "/bookings/reserve", token, { show_id: sale.showId, seat_ids: [crypto.randomUUID()] });
    expect(unknownSeat.status).toBe(404);
    const later = await fixture.publish([{ kind: "general", total: 10, price: 1 }], {
      opensAt: new Date(Date.now() + 3_600_000),
      closesAt: new Date(Date.now() + 7_200_000),
    });
    const closed = await post(fixture, "/bookings/reserve", token, { show_id: later.showId, zone_id: later.zones[0]!.id, quantity: 1 });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe("BOOKING_NOT_OPEN");
    expect(await zoneCounts(fixture, later.keys.zone(later.zones[0]!.id))).toMatchObject({ reserved: 0, seq: 0 });
  });
});
