/**
 * GET /admin/sales and /admin/sales/stream on the real pipeline (booking API, outbox relay, Kafka,
 * payment API and worker, saga, projector, mock gateway): the figures equal exactly what the test
 * bought, held, cancelled and refunded; only an organizer or admin of the event's tenant sees them;
 * the stream sends the figures every interval and ends by itself; PostgreSQL down is 503. The
 * payment service's money counters follow the same purchases.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { bookingFixture, post as bookingPost, jwtSecret, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { freePort } from "@booking-rush/test-support/free-port";
import { seriesValue } from "@booking-rush/test-support/metrics-text";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { signedInToken } from "@booking-rush/test-support/signed-in";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { zoneCaughtUp } from "@booking-rush/test-support/zone-sides";
import { eq } from "drizzle-orm";

const day = 24;
const streamIntervalMs = 300;
const streamMaxMs = 4_000;
let world: PaymentPipeline;

beforeAll(async () => {
  world = await paymentPipeline({
    name: "live_sales",
    consumers: ["worker", "saga", "projector"],
    retry: { attemptTimeoutMs: 5_000 },
    sales: { streamIntervalMs, streamMaxMs },
  });
});

afterAll(() => world.close());

const request = (path: string, token: string | null, init: RequestInit = {}) =>
  world.booking.app.handle(
    new Request(`http://localhost/api/v1${path}`, { ...init, headers: token === null ? {} : { authorization: `Bearer ${token}` } }),
  );

async function sales(eventId: string, token: string | null) {
  const response = await request(`/admin/sales?event_id=${eventId}`, token);
  // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
  return { status: response.status, body: (await response.json()) as any };
}

/**
 * A tenant with an organizer and an admin (catalog rows), their tokens for the catalog and for the
 * booking service (each fixture signs with its own secret).
 */
async function tenant(label: string) {
  const made = await world.catalog.tenant(label);
  const bookingToken = (user: typeof made.organizer) =>
    signedInToken({ id: user.id, role: user.role, tenantId: made.tenantId, email: user.email }, jwtSecret);
  return { ...made, bookingOrganizerToken: await bookingToken(made.organizer), bookingAdminToken: await bookingToken(made.admin) };
}

type Sale = Awaited<ReturnType<typeof draftWithZones>> & { organizerToken: string; adminToken: string };

/** A hold of `quantity` standing places by a new buyer. */
async function hold(sale: Sale, quantity: number) {
  const buyer = await world.buyer();
  const held = await world.reserve(buyer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity });
  expect(held.status).toBe(201);
  return { ...buyer, bookingId: held.body.data.booking_id as string };
}

/** A hold paid for; resolves once the saga confirmed it. */
async function paid(sale: Sale, quantity: number) {
  const held = await hold(sale, quantity);
  const payment = await world.pay(held.token, held.bookingId);
  expect(payment.status).toBe(202);
  await eventually(async () => expect(await world.bookingStatus(sale.event.id, held.bookingId)).toBe("confirmed"), {
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  return { ...held, paymentId: payment.body.data.payment_id as string };
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

describe("GET /admin/sales", () => {
  let sale: Sale;
  let startedMs: number;

  beforeAll(async () => {
    startedMs = Date.now();
    // A tenant of its own: the show in 10 days, so a refund gives everything back.
    const acme = await tenant("acme");
    const created = await draftWithZones(world.catalog, acme.organizerToken, {}, { showInHours: 10 * day });
    expect((await world.catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken)).status).toBe(200);
    sale = { ...created, organizerToken: acme.bookingOrganizerToken, adminToken: acme.bookingAdminToken };
    // Two buyers pay (2 + 1 tickets), one holds 1, one lets go of 1, and the second buyer gets the money back.
    await paid(sale, 2);
    const refunded = await paid(sale, 1);
    await hold(sale, 1);
    const released = await hold(sale, 1);
    expect((await bookingPost(world.booking, `/bookings/${released.bookingId}/cancel`, released.token, {})).status).toBe(200);
    const refund = await world.call("POST", `/payments/${refunded.paymentId}/refund`, refunded.token);
    expect(refund.status).toBe(200);
    await eventually(async () => expect(await world.bookingStatus(sale.event.id, refunded.bookingId)).toBe("cancelled"), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await zoneCaughtUp(world.booking.redis, world.catalog, sale.event.id, sale.general.id);
  });

  test("equal exactly what was bought, held, cancelled and refunded, for the organizer and an admin of the tenant", async () => {
    const expected = {
      event_id: sale.event.id,
      currency: "THB",
      zones: [
        {
          zone_id: sale.general.id,
          show_id: sale.show.id,
          name: "Standing",
          price: 150_000,
          total: 100,
          available: 97,
          held: 1,
          sold: 2,
          waitlisted: 0,
        },
        {
          zone_id: sale.assigned.id,
          show_id: sale.show.id,
          name: "Seated",
          price: 300_000,
          total: 5,
          available: 5,
          held: 0,
          sold: 0,
          waitlisted: 0,
        },
      ],
      tickets_sold: 2,
      revenue: 450_000,
      refunds: 150_000,
      net: 300_000,
      holds: { converted: 2, expired: 0, cancelled: 1 },
      queue: null,
    };
    // The projector writes the bookings' rows: poll until PostgreSQL has all of them.
    const figures = await eventually(
      async () => {
        const answer = await sales(sale.event.id, sale.organizerToken);
        expect(answer.status).toBe(200);
        expect(answer.body.data).toMatchObject(expected);
        return answer.body.data;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // Per minute: 60 buckets ending with the current one; the two confirmations (3 tickets,
    // 450,000) fall in the minutes the test ran, and nowhere else.
    const perMinute = figures.sales_per_minute as { minute: string; tickets: number; revenue: number }[];
    expect(perMinute).toHaveLength(60);
    const minutes = perMinute.map((bucket) => minuteOf(Date.parse(bucket.minute)));
    expect(minutes.at(-1)).toBe(minuteOf(Date.parse(figures.as_of)));
    expect(minutes.every((minute, index) => index === 0 || minute === minutes[index - 1]! + 1)).toBe(true);
    const busy = perMinute.filter((bucket) => bucket.tickets > 0);
    expect(busy.reduce((sum, bucket) => sum + bucket.tickets, 0)).toBe(3);
    expect(busy.reduce((sum, bucket) => sum + bucket.revenue, 0)).toBe(450_000);
    for (const bucket of busy) expect(minuteOf(Date.parse(bucket.minute))).toBeGreaterThanOrEqual(minuteOf(startedMs));
    expect(perMinute.filter((bucket) => bucket.tickets === 0).every((bucket) => bucket.revenue === 0)).toBe(true);

    // The same money as counters: charges by the payment worker, the customer's refund by the payment API.
    const currency = 'currency="THB"';
    expect(seriesValue(await world.metrics.registry.metrics(), "payment_revenue_minor_units_total", currency)).toBe(450_000);
    expect(seriesValue(await world.metrics.registry.metrics(), "payment_refunds_minor_units_total", currency)).toBe(0);
    expect(seriesValue(await world.apiMetrics.registry.metrics(), "payment_refunds_minor_units_total", currency)).toBe(150_000);

    const admin = await sales(sale.event.id, sale.adminToken);
    expect(admin.status).toBe(200);
    expect(admin.body.data).toMatchObject(expected);
  });

  test("another tenant's organizer or admin 403, a buyer 403, no token 401, a bad id 400, an unknown event 404", async () => {
    const other = await tenant("other");
    for (const token of [other.bookingOrganizerToken, other.bookingAdminToken]) {
      const answer = await sales(sale.event.id, token);
      expect([answer.status, answer.body.error.code]).toEqual([403, "FORBIDDEN"]);
      expect(JSON.stringify(answer.body)).not.toContain("revenue");
    }
    const buyer = await sales(sale.event.id, (await world.buyer()).token);
    expect([buyer.status, buyer.body.error.code]).toEqual([403, "FORBIDDEN"]);
    expect((await sales(sale.event.id, null)).status).toBe(401);
    const bad = await sales("not-a-uuid", sale.organizerToken);
    expect([bad.status, bad.body.error.code]).toEqual([400, "VALIDATION_ERROR"]);
    const unknown = await sales(crypto.randomUUID(), sale.organizerToken);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "NOT_FOUND"]);
    for (const token of [other.bookingOrganizerToken, null]) {
      const stream = await request(`/admin/sales/stream?event_id=${sale.event.id}`, token);
      expect(stream.status).toBe(token === null ? 401 : 403);
    }
  });

  test("the stream sends the figures at once and every interval, and ends by itself after its maximum", async () => {
    const opened = Date.now();
    const response = await request(`/admin/sales/stream?event_id=${sale.event.id}`, sale.organizerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let ended = false;
    const deadline = Date.now() + 15_000;
    while (!ended && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) ended = true;
      else text += decoder.decode(value);
    }
    expect(ended).toBe(true);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(streamMaxMs - 100);
    expect(text.startsWith(`retry: ${streamIntervalMs}\n`)).toBe(true);
    const frames = [...text.matchAll(/^data: (.+)$/gm)].map((match) => JSON.parse(match[1]!));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) expect(frame).toMatchObject({ event_id: sale.event.id, tickets_sold: 2, revenue: 450_000, net: 300_000 });
    expect(new Set(frames.map((frame) => frame.as_of)).size).toBe(frames.length);
  });

  test("the stream stops reading once the client goes away", async () => {
    const client = new AbortController();
    const response = await request(`/admin/sales/stream?event_id=${sale.event.id}`, sale.organizerToken, { signal: client.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain(`"event_id":"${sale.event.id}"`);
    const abortedAt = Date.now();
    client.abort();
    // It ends at once, not at its maximum (whatever was sent before the abort drains first).
    for (let next = await reader.read(); !next.done; next = await reader.read());
    expect(Date.now() - abortedAt).toBeLessThan(streamMaxMs / 2);
  });
});

describe("a sold-out zone's waitlist", () => {
  test("waitlisted counts the bookings waiting; a cancelled hold promotes the head, held stays full", async () => {
    const acme = await tenant("waitlisted");
    const created = await draftWithZones(world.catalog, acme.organizerToken, { waitlist_limit: 5 });
    expect((await world.catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken)).status).toBe(200);
    const seatIds = (
      await world.catalog.asSystem((tx) =>
        tx.select({ id: schema.seats.id }).from(schema.seats).where(eq(schema.seats.zoneId, created.assigned.id)),
      )
    ).map((row) => row.id);
    expect(seatIds).toHaveLength(5);
    const reserveSeats = async (seats: string[], joinWaitlist = false) => {
      const buyer = await world.buyer();
      const answer = await world.reserve(buyer.token, {
        show_id: created.show.id,
        seat_ids: seats,
        ...(joinWaitlist ? { join_waitlist: true } : {}),
      });
      expect(answer.status).toBe(201);
      return { ...buyer, booking: answer.body.data };
    };
    await reserveSeats(seatIds.slice(0, 4));
    const last = await reserveSeats(seatIds.slice(4));
    // Seated is full: two buyers wait for a taken seat.
    const waiting = [await reserveSeats([seatIds[4]!], true), await reserveSeats([seatIds[0]!], true)];
    expect(waiting.map((entry) => [entry.booking.status, entry.booking.waitlist_position])).toEqual([
      ["waitlisted", 1],
      ["waitlisted", 2],
    ]);
    const seated = async () => {
      const answer = await sales(created.event.id, acme.bookingOrganizerToken);
      expect(answer.status).toBe(200);
      return answer.body.data.zones.find((zone: { zone_id: string }) => zone.zone_id === created.assigned.id);
    };
    expect(await seated()).toMatchObject({ total: 5, available: 0, held: 5, sold: 0, waitlisted: 2 });

    // The last seat comes back: the head of the waitlist holds it at once, the second still waits.
    expect((await bookingPost(world.booking, `/bookings/${last.booking.booking_id}/cancel`, last.token, {})).status).toBe(200);
    expect(await world.bookingStatus(created.event.id, waiting[0]!.booking.booking_id)).toBe("reserved");
    expect(await seated()).toMatchObject({ total: 5, available: 0, held: 5, sold: 0, waitlisted: 1 });
  });
});

describe("the waiting room", () => {
  test("while it is on: the buyers waiting, those admitted, paused", async () => {
    const acme = await tenant("queued");
    const created = await draftWithZones(world.catalog, acme.organizerToken, { queue_enabled: true });
    expect((await world.catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken)).status).toBe(200);
    for (let index = 0; index < 2; index++) {
      const buyer = await world.buyer();
      expect((await bookingPost(world.booking, "/queue/join", buyer.token, { event_id: created.event.id })).status).toBe(200);
    }
    const answer = await sales(created.event.id, acme.bookingOrganizerToken);
    expect(answer.status).toBe(200);
    expect(answer.body.data.queue).toEqual({ waiting: 2, active: 0, paused: false });
  });
});

describe("a dependency down", () => {
  test("PostgreSQL unreachable: 503 SERVICE_UNAVAILABLE", async () => {
    const unreachable = new URL(stackConfig.postgres.url);
    unreachable.port = String(freePort());
    const cut = await bookingFixture({}, { databaseUrl: unreachable.toString() });
    try {
      const response = await cut.app.handle(
        new Request(`http://localhost/api/v1/admin/sales?event_id=${crypto.randomUUID()}`, {
          headers: { authorization: `Bearer ${await tokenFor(crypto.randomUUID(), "admin", crypto.randomUUID())}` },
        }),
      );
      const body = (await response.json()) as { error: { code: string } };
      expect([response.status, body.error.code]).toEqual([503, "SERVICE_UNAVAILABLE"]);
    } finally {
      await cut.close();
    }
  });
});
