/**
 * Money of a hold that ran out goes back. A payment that succeeds but whose hold runs out before
 * the saga could confirm it: the booking expires (seats back, booking.expired), and the payment
 * worker gives the money back in full (refund at the gateway, payment refunded, payment.refunded).
 * A charge whose answer is lost until the hold expires is cancelled at the gateway by its key. No
 * saga runs here, which is exactly the window this covers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expireDueHolds } from "@booking-rush/booking/hold-expiry";
import * as schema from "@booking-rush/db/schema";
import { createDurableScripts, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";
import { eventually } from "@booking-rush/test-support/eventually";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";

let world: PaymentPipeline;
const waitLong = { timeoutMs: 60_000, intervalMs: 100 };

beforeAll(async () => {
  world = await paymentPipeline({ name: "payment_refund", consumers: ["worker"], holdMs: 1_500 });
});

afterAll(() => world.close());

describe("money of a hold that ran out goes back", () => {
  test("the hold runs out before it was confirmed: seats back, the whole amount refunded once, payment.refunded sent", async () => {
    const sale = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 });
    expect(hold.status).toBe(201);
    const bookingId = hold.body.data.booking_id as string;
    const paymentId = (await world.pay(payer.token, bookingId)).body.data.payment_id as string;
    await eventually(async () => expect((await world.paymentOf(payer.token, paymentId)).status).toBe("succeeded"), waitLong);

    // No saga confirms it: the hold runs out and the sweeper closes it (booking.expired).
    const expiresAt = Number(await world.booking.redis.hget(eventKeys(sale.event.id).booking(bookingId), "expires_at_ms"));
    await eventually(() => expect(Date.now()).toBeGreaterThan(expiresAt), { timeoutMs: 5_000 });
    const scripts = createDurableScripts(stackConfig.redis, testLogger, readLuaScripts(luaDirectory), {
      connections: 1,
      replicas: 1,
      waitTimeoutMs: 500,
    });
    try {
      expect(
        (await expireDueHolds(world.booking.redis, scripts, { batchSize: 100, recordTtlSeconds: 600 })).expired,
      ).toBeGreaterThanOrEqual(1);
    } finally {
      await scripts.close();
    }
    expect(await world.zoneCounts(sale.event.id, sale.general.id)).toEqual({ reserved: 0, sold: 0 });

    await eventually(async () => expect((await world.paymentOf(payer.token, paymentId)).status).toBe("refunded"), waitLong);
    const refundRows = await world.catalog.asSystem((tx) =>
      tx.select().from(schema.refunds).where(eq(schema.refunds.paymentId, paymentId)),
    );
    expect(refundRows).toHaveLength(1);
    expect(refundRows[0]).toMatchObject({ amount: 300_000, percent: 100, reason: "reservation_expired", status: "succeeded" });
    const charge = world.gateway.records.find((record) => record.kind === "charge" && record.idempotencyKey === paymentId)!;
    expect(
      world.gateway.records.filter((record) => record.kind === "refund" && record.chargeId === charge.id).map((record) => record.amount),
    ).toEqual([300_000]);

    const collector = await collectMessages(testKafka, [sale.event.id], ["payment.refunded"]);
    try {
      const refunded = await collector.caughtUp();
      expect(refunded).toHaveLength(1);
      expect(refunded[0]!.body).toMatchObject({
        type: "payment.refunded",
        data: { payment_id: paymentId, status: "refunded", refund: { amount: 300_000, percent: 100, reason: "reservation_expired" } },
      });
    } finally {
      await collector.stop();
    }
  }, 150_000);

  test("a charge whose answer is lost until the hold expires: cancelled at the gateway by its key, the payment fails, no money kept", async () => {
    const sale = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 });
    expect(hold.status).toBe(201);

    // The gateway makes the charge, but only after every attempt (1 s each) gave up and the 1.5 s hold ran out.
    world.gateway.knobs.latencyMs = 4_000;
    try {
      const paymentId = (await world.pay(payer.token, hold.body.data.booking_id)).body.data.payment_id as string;
      await eventually(async () => expect((await world.paymentOf(payer.token, paymentId)).status).toBe("failed"), waitLong);
      expect(await world.paymentOf(payer.token, paymentId)).toMatchObject({
        failure_reason: "The payment could not be completed before the reservation expired",
      });

      // The gateway did charge, late, and the charge is void: nothing was kept.
      const charges = world.gateway.records.filter((record) => record.kind === "charge" && record.idempotencyKey === paymentId);
      expect(charges.map((charge) => charge.status)).toEqual(["voided"]);
      // A charge with that key arriving even later is refused.
      const late = await fetch(`${world.gateway.url}/charges`, {
        method: "POST",
        body: JSON.stringify({ idempotency_key: paymentId, amount: 150_000, currency: "THB" }),
      });
      expect(late.status).toBe(409);
    } finally {
      world.gateway.knobs.latencyMs = 0;
    }
  }, 150_000);
});
