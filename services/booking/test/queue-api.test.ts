/**
 * The waiting room through the booking API: join, status, the SSE stream, and the reserve that
 * needs the pass. Admission is queue-admit.lua run as the admitter runs it (durable runner); the
 * admitter process itself is queue-admitter.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type BookingFixture,
  bookingFixture,
  confirmPaid,
  queuePassSecret,
  tokenFor,
  zoneCounts,
} from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { expireScript, queueAdmitScript } from "../src/booking-scripts";
import { createQueuePasses } from "../src/queue-pass";
import { lineOf, openSaleNow, passesOf, type QueueRoom, writeQueueRoom } from "./support/queue-room";

let fixture: BookingFixture;
/** Holds of 1.5 s, for the buyer whose hold must expire. */
let shortHolds: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture({ rateBurst: 2, ratePerMinute: 1 });
  shortHolds = await bookingFixture({ holdMs: 1_500 });
});
afterAll(async () => {
  await shortHolds.close();
  await fixture.close();
});

// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
type Body = any;

async function call(method: "GET" | "POST", path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fixture.app.handle(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json()) as Body, headers: response.headers };
}

const join = (eventId: string, token: string) => call("POST", "/queue/join", token, { event_id: eventId });
const status = (eventId: string, token: string) => call("GET", `/queue/status?event_id=${eventId}`, token);

/** A sale with the waiting room on, one general-admission zone; open unless `opensInMs` says when. */
async function queuedSale(room: QueueRoom, options: { total?: number; opensInMs?: number; maxTicketsPerUser?: number } = {}) {
  const sale = await fixture.publish([{ kind: "general", total: options.total ?? 100, price: 1 }], {
    opensAt: new Date(Date.now() + (options.opensInMs ?? -1_000)),
    maxTicketsPerUser: options.maxTicketsPerUser ?? 4,
  });
  await writeQueueRoom(fixture.redis, sale.eventId, room);
  return { ...sale, zoneId: sale.zones[0]!.id };
}

type QueuedSale = Awaited<ReturnType<typeof queuedSale>>;

const admit = (sale: QueuedSale) =>
  queueAdmitScript(fixture.service.store.scripts, { eventId: sale.eventId, intervalMs: 1_000, batchMax: 1_000 });

async function buyers(count: number) {
  const ids: string[] = Array.from({ length: count }, () => crypto.randomUUID());
  const tokens = await Promise.all(ids.map((id) => tokenFor(id)));
  return ids.map((id, index) => ({ id, token: tokens[index]! }));
}

async function reserveWith(sale: QueuedSale, token: string, pass: string | undefined, target: BookingFixture = fixture) {
  const response = await target.app.handle(
    new Request("http://localhost/api/v1/bookings/reserve", {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
        ...(pass === undefined ? {} : { "x-queue-pass": pass }),
      },
      body: JSON.stringify({ show_id: sale.showId, zone_id: sale.zoneId, quantity: 1 }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Body };
}

/** Every key of the sale but the rate buckets and the auth state, dumped: a refusal must leave them all as they were. */
async function snapshot(sale: QueuedSale) {
  const keys = (await fixture.redis.keys(`${sale.keys.tag}*`)).filter((key) => !key.includes(":rate:")).sort();
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await fixture.redis.dumpBuffer(key))?.toString("hex")])));
}

describe("joining before the opening", () => {
  test("5,000 buyers join concurrently (twice each): one place each; at the opening a permutation, not arrival order; later arrivals in order behind", async () => {
    const sale = await queuedSale({ ratePerMinute: 60, maxActive: 100 }, { opensInMs: 3_600_000 });
    const crowd = await buyers(5_000);
    const answers = await Promise.all([...crowd, ...crowd].map((buyer) => join(sale.eventId, buyer.token)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      // Random order: no position before the draw, an ETA that includes the hour until the opening.
      expect(answer.body.data).toMatchObject({ status: "waiting", position: null });
      expect(answer.body.data.eta_seconds).toBeGreaterThanOrEqual(3_500);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    const arrival = await lineOf(fixture.redis, sale.eventId);
    expect(arrival).toHaveLength(5_000);
    expect([...arrival].sort()).toEqual(crowd.map((buyer) => buyer.id).sort());

    await openSaleNow(fixture.redis, sale.eventId);
    const late = await buyers(10);
    const lateAnswers = [];
    for (const buyer of late) lateAnswers.push(await join(sale.eventId, buyer.token));
    expect(lateAnswers.map((answer) => answer.body.data.position)).toEqual(Array.from({ length: 10 }, (_, index) => 5_001 + index));
    const line = await lineOf(fixture.redis, sale.eventId);
    expect(line.slice(0, 5_000).sort()).toEqual([...arrival].sort());
    expect(line.slice(0, 5_000)).not.toEqual(arrival);
    expect(line.slice(5_000)).toEqual(late.map((buyer) => buyer.id));
    // Each buyer is told the place the line has.
    const sampled = [0, 1, 2_500, 4_999].map((index) => crowd.find((buyer) => buyer.id === line[index])!);
    const positions = await Promise.all(sampled.map((buyer) => status(sale.eventId, buyer.token)));
    expect(positions.map((answer) => answer.body.data.position)).toEqual([1, 2, 2_501, 5_000]);
  });

  test("no waiting room, unknown event, bad event id, and a buyer without a place: the right error, nothing written", async () => {
    const [buyer] = await buyers(1);
    const plain = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    expect((await join(plain.eventId, buyer!.token)).body.error.code).toBe("NOT_FOUND");
    expect((await join(crypto.randomUUID(), buyer!.token)).status).toBe(404);
    expect((await call("POST", "/queue/join", buyer!.token, { event_id: "not-a-uuid" })).body.error.code).toBe("VALIDATION_ERROR");
    expect((await call("GET", "/queue/status", buyer!.token)).status).toBe(400);
    expect(await fixture.redis.keys(`${plain.keys.tag}:queue*`)).toEqual([]);
    const sale = await queuedSale({ ratePerMinute: 60, maxActive: 10 });
    const nobody = await status(sale.eventId, buyer!.token);
    expect([nobody.status, nobody.body.error.code]).toEqual([404, "NOT_FOUND"]);
    const anonymous = await fixture.app.handle(new Request(`http://localhost/api/v1/queue/status?event_id=${sale.eventId}`));
    expect(anonymous.status).toBe(401);
  });
});

describe("the live stream", () => {
  test("/queue/stream sends the place at once, then the change to admitted with the pass, and ends", async () => {
    const sale = await queuedSale({ ratePerMinute: 600, maxActive: 10, order: "fifo" });
    const [first, second] = await buyers(2);
    await join(sale.eventId, first!.token);
    await join(sale.eventId, second!.token);
    const response = await fixture.app.handle(
      new Request(`http://localhost/api/v1/queue/stream?event_id=${sale.eventId}`, {
        headers: { authorization: `Bearer ${second!.token}` },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const events = () => [...text.matchAll(/^data: (.+)$/gm)].map((match) => JSON.parse(match[1]!));
    const readUntil = async (enough: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!enough() && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await readUntil(() => events().length >= 1);
    expect(events()[0]).toMatchObject({ status: "waiting", position: 2 });
    expect((await admit(sale)).admitted.map(([user]) => user)).toEqual([first!.id, second!.id]);
    await readUntil(() => events().some((event) => event.status === "admitted"));
    const admitted = events().find((event) => event.status === "admitted");
    expect(admitted.queue_pass).toEqual(expect.any(String));
    // Settled: the stream ends by itself.
    const { done } = await reader.read();
    expect(done).toBe(true);
    const missing = await fixture.app.handle(
      new Request(`http://localhost/api/v1/queue/stream?event_id=${crypto.randomUUID()}`, {
        headers: { authorization: `Bearer ${first!.token}` },
      }),
    );
    expect(missing.status).toBe(404);
  });
});

describe("reserve with the waiting room on", () => {
  test("no pass, forged, expired, another event's, another buyer's, or freed by a purchase: 403 QUEUE_REQUIRED and nothing changed; the live pass is not rate limited", async () => {
    const sale = await queuedSale({ ratePerMinute: 6_000, maxActive: 100, order: "fifo" });
    const other = await queuedSale({ ratePerMinute: 6_000, maxActive: 100, order: "fifo" });
    const [ann, bob] = await buyers(2);
    for (const target of [sale, other]) for (const buyer of [ann!, bob!]) await join(target.eventId, buyer.token);
    await admit(sale);
    await admit(other);
    const annPass = (await status(sale.eventId, ann!.token)).body.data;
    expect(annPass).toMatchObject({ status: "admitted", position: null, eta_seconds: 0 });
    const annOtherPass = (await status(other.eventId, ann!.token)).body.data.queue_pass;
    const bobPass = (await status(sale.eventId, bob!.token)).body.data.queue_pass;
    const passId = (await passesOf(fixture.redis, sale.eventId))[ann!.id]!;
    const forged = await createQueuePasses("not-the-service-secret-0123456789abcdef").sign({
      userId: ann!.id,
      eventId: sale.eventId,
      passId,
      expiresAtMs: Date.now() + 60_000,
    });
    const expired = await createQueuePasses(queuePassSecret).sign({
      userId: ann!.id,
      eventId: sale.eventId,
      passId,
      expiresAtMs: Date.now() - 2_000,
    });
    const before = await snapshot(sale);
    for (const pass of [undefined, "", "garbage", forged, expired, annOtherPass, bobPass]) {
      const refused = await reserveWith(sale, ann!.token, pass);
      expect([refused.status, refused.body.error.code], String(pass)).toEqual([403, "QUEUE_REQUIRED"]);
    }
    expect(await snapshot(sale)).toEqual(before);

    // The live pass: past the buyer's burst of 2 without a 429.
    const held: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const ok = await reserveWith(sale, ann!.token, annPass.queue_pass);
      expect(ok.status).toBe(201);
      held.push(ok.body.data.booking_id);
    }
    // Bought: the slot is freed, and the same pass is refused from then on.
    expect((await confirmPaid(fixture, held[0]!)).status).toBe(200);
    const counts = await zoneCounts(fixture, sale.keys.zone(sale.zoneId));
    const reused = await reserveWith(sale, ann!.token, annPass.queue_pass);
    expect([reused.status, reused.body.error.code]).toEqual([403, "QUEUE_REQUIRED"]);
    expect(await zoneCounts(fixture, sale.keys.zone(sale.zoneId))).toEqual(counts);
    expect((await status(sale.eventId, ann!.token)).status).toBe(404);

    // Without a waiting room the same buyer is rate limited as before (burst 2), pass or not.
    const plain = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const plainSale = { ...sale, showId: plain.showId, zoneId: plain.zones[0]!.id };
    const codes = [];
    for (let attempt = 0; attempt < 3; attempt += 1) codes.push((await reserveWith(plainSale, ann!.token, annPass.queue_pass)).status);
    expect(codes).toEqual([201, 201, 429]);
  });

  test("a pass that ran out frees its slot and is refused", async () => {
    const sale = await queuedSale({ ratePerMinute: 6_000, maxActive: 1, passTtlMs: 1_200, order: "fifo" });
    const [ann, bob] = await buyers(2);
    await join(sale.eventId, ann!.token);
    await join(sale.eventId, bob!.token);
    expect((await admit(sale)).admitted.map(([user]) => user)).toEqual([ann!.id]);
    const pass = (await status(sale.eventId, ann!.token)).body.data.queue_pass;
    // The admitter frees the slot once Redis' clock passes the expiry, and admits Bob.
    await eventually(
      async () => {
        const step = await admit(sale);
        expect(step.admitted.map(([user]) => user)).toEqual([bob!.id]);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const counts = await zoneCounts(fixture, sale.keys.zone(sale.zoneId));
    const refused = await reserveWith(sale, ann!.token, pass);
    expect([refused.status, refused.body.error.code]).toEqual([403, "QUEUE_REQUIRED"]);
    expect(await zoneCounts(fixture, sale.keys.zone(sale.zoneId))).toEqual(counts);
  });
});

describe("sold out", () => {
  test("100 seats, 1,000 waiting: 100 admitted; held then paid, nobody more; an expired hold admits one more; then all 899 see sold_out", async () => {
    const sale = await queuedSale({ ratePerMinute: 60_000, maxActive: 1_000, order: "random" }, { total: 100, maxTicketsPerUser: 1 });
    const crowd = await buyers(1_000);
    await Promise.all(crowd.map((buyer) => join(sale.eventId, buyer.token)));
    const byId = new Map(crowd.map((buyer) => [buyer.id, buyer]));

    const first = await admit(sale);
    expect(first.admitted).toHaveLength(100);
    expect(await admit(sale)).toMatchObject({ admitted: [], reason: "full" });
    const admitted = first.admitted.map(([user]) => byId.get(user)!);
    const passes = await Promise.all(
      admitted.map(async (buyer) => (await status(sale.eventId, buyer.token)).body.data.queue_pass as string),
    );
    // 99 hold and pay; the last one holds for 1.5 s only.
    const bookings = await Promise.all(
      admitted.map((buyer, index) => reserveWith(sale, buyer.token, passes[index], index === 99 ? shortHolds : fixture)),
    );
    expect(bookings.map((booking) => booking.status)).toEqual(Array(100).fill(201));
    expect(await admit(sale)).toMatchObject({ admitted: [], reason: "no_stock" });
    for (const booking of bookings.slice(0, 99)) expect((await confirmPaid(fixture, booking.body.data.booking_id)).status).toBe(200);
    expect(await admit(sale)).toMatchObject({ admitted: [], reason: "no_stock", active: 1 });
    const someoneWaiting = byId.get((await lineOf(fixture.redis, sale.eventId))[0]!)!;
    expect((await status(sale.eventId, someoneWaiting.token)).body.data.status).toBe("waiting");

    // The short hold expires (as the sweeper would): its seat is back, and exactly one more buyer is admitted.
    await eventually(
      async () =>
        expect(
          await expireScript(fixture.service.store.scripts, { eventId: sale.eventId, batchSize: 10, recordTtlSeconds: 60 }),
        ).toMatchObject({ expired: 1 }),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const resumed = await admit(sale);
    expect(resumed.admitted).toHaveLength(1);
    expect(await admit(sale)).toMatchObject({ admitted: [], reason: "full" });
    const last = byId.get(resumed.admitted[0]![0])!;
    const lastPass = (await status(sale.eventId, last.token)).body.data.queue_pass;
    const lastBooking = await reserveWith(sale, last.token, lastPass);
    expect(lastBooking.status).toBe(201);
    expect((await confirmPaid(fixture, lastBooking.body.data.booking_id)).status).toBe(200);

    expect(await zoneCounts(fixture, sale.keys.zone(sale.zoneId))).toMatchObject({ total: 100, reserved: 0, sold: 100 });
    expect(await admit(sale)).toMatchObject({ admitted: [], reason: "sold_out", depth: 899, active: 0 });
    const waiting = await lineOf(fixture.redis, sale.eventId);
    expect(waiting).toHaveLength(899);
    const answers = await Promise.all(waiting.map((user) => status(sale.eventId, byId.get(user)!.token)));
    for (const answer of answers) expect(answer.body.data).toMatchObject({ status: "sold_out", eta_seconds: null });
    // Nobody was admitted twice: 101 passes handed out, to 101 different buyers.
    expect(new Set([...first.admitted, ...resumed.admitted].map(([user]) => user)).size).toBe(101);
  });
});
