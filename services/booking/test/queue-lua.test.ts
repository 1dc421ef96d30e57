/** The waiting room's scripts (lua/queue-*.lua) straight against Redis (through Sentinel), without the service around them. */
import { afterAll, describe, expect, test } from "bun:test";
import { luaDirect } from "@booking-rush/test-support/lua-direct";
import {
  confirmScript,
  type QueuePlace,
  queueAdmitScript,
  queueJoinScript,
  queueStatusScript,
  releaseScript,
  reserveScript,
} from "../src/booking-scripts";
import type { ScriptReply } from "../src/script-replies";
import { lineOf, openSaleNow, passesOf, type QueueRoom, writeQueueRoom } from "./support/queue-room";

const direct = luaDirect("queue-lua");
const { redis, lua } = direct;

afterAll(() => direct.close());

/** A published sale with one general-admission zone, opening in an hour unless told (its pre-queue open now). */
async function sale(room: QueueRoom, options: { total?: number; opensInMs?: number } = {}) {
  const target = await direct.publish(
    { kind: "general", total: options.total ?? 100, price: 1 },
    { opensAt: new Date(Date.now() + (options.opensInMs ?? 3_600_000)), closesAt: new Date(Date.now() + 7_200_000) },
  );
  await writeQueueRoom(redis, target.eventId, room);
  return target;
}

type Sale = Awaited<ReturnType<typeof sale>>;

const place = (reply: ScriptReply) => {
  if (reply[0] === "error") throw new Error(`${reply[1]} ${reply[2]}`);
  return JSON.parse(reply[1]) as QueuePlace;
};
const join = async (target: Sale, userId: string) => place(await queueJoinScript(lua, { eventId: target.eventId, userId }));
const status = (target: Sale, userId: string) => queueStatusScript(lua, { eventId: target.eventId, userId });
const admit = (target: Sale, intervalMs = 1_000, batchMax = 1_000) =>
  queueAdmitScript(lua, { eventId: target.eventId, intervalMs, batchMax });
const users = (count: number) => Array.from({ length: count }, () => crypto.randomUUID());

/** Spearman's rank correlation of two orders of the same ids. */
function rankCorrelation(first: string[], second: string[]) {
  const rank = new Map(second.map((id, index) => [id, index]));
  const n = first.length;
  const squares = first.reduce((sum, id, index) => sum + (index - rank.get(id)!) ** 2, 0);
  return 1 - (6 * squares) / (n * (n * n - 1));
}

function reserve(target: Sale, userId: string, queuePassId: string) {
  const bookingId = crypto.randomUUID();
  return reserveScript(lua, {
    eventId: target.eventId,
    showId: target.showId,
    zoneId: target.zoneId,
    bookingId,
    userId,
    idempotencyKey: bookingId,
    requestHash: "hash",
    quantity: 1,
    seatIds: [],
    holdMs: 600_000,
    rateBurst: 10,
    ratePerMinute: 20,
    queuePassId,
    idempotencyTtlSeconds: 600,
  }).then((reply) => ({ reply, bookingId }));
}

describe("queue-join.lua and the opening", () => {
  test("random order: one place per buyer however often they join; the opening draws a permutation once; later arrivals queue behind it in order", async () => {
    const target = await sale({ ratePerMinute: 60, maxActive: 10 });
    const buyers = users(2_000);
    // Every buyer joins twice, all at once: one place each.
    const answers = await Promise.all([...buyers, ...buyers].map((buyer) => join(target, buyer)));
    for (const answer of answers) expect(answer).toMatchObject({ status: "waiting" });
    // Before the draw nobody has a position yet (arriving early buys nothing).
    expect(answers.every((answer) => answer.position === undefined)).toBe(true);
    const arrival = await lineOf(redis, target.eventId);
    expect(new Set(arrival).size).toBe(buyers.length);
    expect([...arrival].sort()).toEqual([...buyers].sort());

    await openSaleNow(redis, target.eventId);
    const late = users(20);
    for (const buyer of late) await join(target, buyer);
    const drawn = await lineOf(redis, target.eventId);
    // The pre-queue, reordered: the same buyers, places 1..n, not in arrival order; then the late ones in order.
    expect(drawn.slice(0, buyers.length).sort()).toEqual([...arrival].sort());
    expect(drawn.slice(0, buyers.length)).not.toEqual(arrival);
    expect(Math.abs(rankCorrelation(arrival, drawn.slice(0, buyers.length)))).toBeLessThan(0.1);
    expect(drawn.slice(buyers.length)).toEqual(late);
    const scores = await redis.zrange(target.keys.queueLine, "0", "-1", "WITHSCORES");
    expect(scores.filter((_, index) => index % 2 === 1).map(Number)).toEqual(Array.from({ length: drawn.length }, (_, index) => index + 1));

    // Drawn once: joining again, status and admission leave the order as it is.
    await join(target, buyers[0]!);
    expect(await lineOf(redis, target.eventId)).toEqual(drawn);
    const [firstReply, lastReply] = await Promise.all([status(target, drawn[0]!), status(target, late.at(-1)!)]);
    expect(place(firstReply)).toMatchObject({ status: "waiting", position: 1 });
    expect(place(lastReply)).toMatchObject({ status: "waiting", position: drawn.length });
  });

  test("fifo order: the pre-queue keeps its arrival order at the opening", async () => {
    const target = await sale({ ratePerMinute: 60, maxActive: 10, order: "fifo" });
    const buyers = users(50);
    for (const buyer of buyers) expect((await join(target, buyer)).position).toBe(buyers.indexOf(buyer) + 1);
    await openSaleNow(redis, target.eventId);
    const late = crypto.randomUUID();
    expect(await join(target, late)).toMatchObject({ status: "waiting", position: 51 });
    expect(await lineOf(redis, target.eventId)).toEqual([...buyers, late]);
  });

  test("refusals change nothing: no waiting room, no event, a pre-queue not open yet; a closed sale takes no one", async () => {
    const target = await sale({ ratePerMinute: 60, maxActive: 10, prequeueOpensAtMs: Date.now() + 600_000 });
    const before = await redis.keys(`${target.keys.tag}:queue-*`);
    const notYet = await queueJoinScript(lua, { eventId: target.eventId, userId: crypto.randomUUID() });
    expect(notYet.slice(0, 2)).toEqual(["error", "BOOKING_NOT_OPEN"]);
    expect(JSON.parse(notYet[2]!)).toMatchObject({ reason: "prequeue_not_open" });
    expect(await redis.keys(`${target.keys.tag}:queue-*`)).toEqual(before);

    await redis.hset(target.keys.queue, "enabled", "0");
    expect((await queueJoinScript(lua, { eventId: target.eventId, userId: "u" })).slice(0, 3)).toEqual([
      "error",
      "NOT_FOUND",
      JSON.stringify({ resource: "queue" }),
    ]);
    expect((await queueJoinScript(lua, { eventId: crypto.randomUUID(), userId: "u" })).slice(0, 2)).toEqual(["error", "NOT_FOUND"]);

    const closed = await sale({ ratePerMinute: 60, maxActive: 10 });
    await redis.hset(closed.keys.event, "closes_at_ms", Date.now() - 1);
    expect(await join(closed, crypto.randomUUID())).toEqual({ status: "closed" });
    expect(await redis.zcard(closed.keys.queueLine)).toBe(0);
    expect((await status(closed, crypto.randomUUID())).slice(0, 2)).toEqual(["ok", JSON.stringify({ status: "closed" })]);
    expect((await status(target, crypto.randomUUID())).slice(0, 3)).toEqual(["error", "NOT_FOUND", JSON.stringify({ resource: "queue" })]);
  });
});

describe("queue-admit.lua", () => {
  test("admits in line order within the rate and the free slots, one pass each, nobody twice; expired passes free their slots", async () => {
    // 600 a minute with a 100 ms interval: 10 a second, a bucket of 1; 15 slots of 1.5 s.
    const target = await sale({ ratePerMinute: 600, maxActive: 15, passTtlMs: 1_500, order: "fifo" }, { opensInMs: -1_000 });
    const buyers = users(80);
    for (const buyer of buyers) await join(target, buyer);
    const serverMs = async () => {
      const [seconds, micros] = await redis.time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    };
    const started = await serverMs();
    const order: string[] = [];
    let freed = 0;
    // Steps as the admitter makes them, for 3 s of Redis' clock (bounded by count too).
    for (let step = 0; step < 300 && (await serverMs()) < started + 3_000; step += 1) {
      const result = await admit(target, 100);
      expect(result.active).toBeLessThanOrEqual(15);
      expect(result.admitted.length).toBeLessThanOrEqual(1);
      for (const [user, passId] of result.admitted) {
        order.push(user);
        expect(place(await status(target, user))).toMatchObject({ status: "admitted", pass_id: passId, eta_seconds: 0 });
      }
      freed += result.freed;
      await Bun.sleep(20);
    }
    const elapsed = (await serverMs()) - started;
    // The rate: 10 a second, plus the bucket of 1.
    expect(order.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 1);
    expect(order.length).toBeGreaterThanOrEqual(15);
    // In line order, each buyer once; the first passes ran out and freed their slots.
    expect(order).toEqual(buyers.slice(0, order.length));
    expect(freed).toBeGreaterThan(0);
    const passes = await passesOf(redis, target.eventId);
    expect(Object.keys(passes).length).toBe(order.length - freed);
    expect(new Set(Object.values(passes)).size).toBe(Object.keys(passes).length);
    expect(await lineOf(redis, target.eventId)).toEqual(buyers.slice(order.length));
    const stateSeq = Number(await redis.hget(target.keys.queueState, "pass_seq"));
    expect(stateSeq).toBe(order.length);
  });

  test("paused, not open yet and rate 0 admit nobody and change nothing but the expiry of used-up passes", async () => {
    const target = await sale({ ratePerMinute: 600, maxActive: 15, paused: true }, { opensInMs: -1_000 });
    for (const buyer of users(5)) await join(target, buyer);
    expect(await admit(target)).toMatchObject({ admitted: [], reason: "paused", depth: 5 });
    const early = await sale({ ratePerMinute: 600, maxActive: 15 });
    await join(early, crypto.randomUUID());
    expect(await admit(early)).toMatchObject({ admitted: [], reason: "not_open", depth: 1 });
    await redis.hset(target.keys.queue, { paused: "0", rate_per_minute: "0" });
    expect(await admit(target)).toMatchObject({ admitted: [], reason: "rate" });
    await redis.hset(target.keys.queue, "rate_per_minute", "600");
    expect((await admit(target)).admitted).toHaveLength(5);
  });

  test("knows the stock: admits no more buyers than seats nobody admitted will take; no stock while held, sold out when nothing is left", async () => {
    const target = await sale({ ratePerMinute: 6_000, maxActive: 1_000 }, { total: 3, opensInMs: -1_000 });
    const buyers = users(10);
    for (const buyer of buyers) await join(target, buyer);
    const admitted = (await admit(target)).admitted;
    expect(admitted).toHaveLength(3);
    expect(await admit(target)).toMatchObject({ admitted: [], reason: "full" });
    const bookings: string[] = [];
    for (const [user, passId] of admitted) {
      const { reply, bookingId } = await reserve(target, user, passId);
      expect(reply[0]).toBe("ok");
      bookings.push(bookingId);
    }
    expect(await admit(target)).toMatchObject({ admitted: [], reason: "no_stock" });
    const waiting = (await lineOf(redis, target.eventId))[0]!;
    expect(place(await status(target, waiting))).toMatchObject({ status: "waiting", position: 1 });

    // A cancellation gives a seat back and frees its buyer's slot: one more is admitted.
    expect((await releaseScript(lua, { eventId: target.eventId, bookingId: bookings[0]!, userId: "", recordTtlSeconds: 60 }))[0]).toBe(
      "ok",
    );
    expect(Object.keys(await passesOf(redis, target.eventId))).not.toContain(admitted[0]![0]);
    const next = await admit(target);
    expect(next.admitted).toHaveLength(1);
    const { reply } = await reserve(target, next.admitted[0]![0], next.admitted[0]![1]);
    expect(reply[0]).toBe("ok");
    bookings[0] = JSON.parse(reply[1]).booking_id;

    // Every seat paid: the buyers still waiting are told sold_out, and nobody is admitted.
    for (const bookingId of bookings) {
      expect(
        (
          await confirmScript(lua, { eventId: target.eventId, bookingId, userId: "", paymentId: crypto.randomUUID(), recordTtlSeconds: 60 })
        )[0],
      ).toBe("ok");
    }
    expect(await redis.hlen(target.keys.queuePass)).toBe(0);
    expect(await admit(target)).toMatchObject({ admitted: [], reason: "sold_out", active: 0, depth: 6 });
    for (const user of await lineOf(redis, target.eventId)) {
      expect(place(await status(target, user))).toMatchObject({ status: "sold_out" });
    }
  });
});
