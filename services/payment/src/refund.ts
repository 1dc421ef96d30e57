/**
 * Refunding a succeeded payment. One refund per payment that has not failed
 * (`refunds_payment_id_active_key`): whoever comes second (the customer's request racing the
 * cancellation it causes, a redelivery) joins the refund in flight instead of making another. The
 * gateway is called with the refund's id as idempotency key, then refund succeeded + payment
 * refunded + payment.refunded in one transaction; the saga then cancels the booking (seats back on
 * sale) if it is still live. A gateway that does not answer marks the refund failed and the caller
 * is told (the worker retries its message, the API answers 503); a failed refund makes room for a
 * new attempt.
 *
 * Who asks, and by which rule (refund-rules.ts):
 * - the customer, POST /payments/:id/refund: by the time to the show, 0% refused;
 * - a confirmed booking cancelled by its customer (booking.cancelled): by the time to the show at
 *   the cancellation, 0% recorded as a refund of nothing;
 * - an event cancelled by its organizer (event.cancelled): 100%;
 * - a hold that expired after its payment succeeded (booking.expired): 100%.
 */

import { bookings, events, type Payment, payments, type Refund, refunds, shows } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { AppError, conflict, notFound, serviceUnavailable } from "@booking-rush/lib/errors";
import { and, eq, inArray, ne } from "drizzle-orm";
import type { GatewayClient } from "./gateway/gateway-client";
import type { MoneyMetrics } from "./payment-metrics";
import type { PaymentPublisher } from "./payment-publisher";
import { paymentEventData, paymentView } from "./payments";
import { type RefundRule, refundAmount } from "./refund-rules";

export interface RefundDependencies {
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
  /** Counts the money of each succeeded refund. */
  money?: MoneyMetrics;
}

/** What a rule is decided from. */
export interface RefundFacts {
  showStartsAt: Date;
  eventCancelled: boolean;
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

interface RefundInFlight {
  payment: Payment;
  reservationId: string;
  eventId: string;
  refund: Refund;
}

/** How long a worker's refund may try the gateway before the message is retried. */
const workerGatewayWindowMs = 60_000;
/** A customer waits for the answer: the request gives up sooner (503, try again). */
const requestGatewayWindowMs = 10_000;

/** The gateway did not refund (down, or refused); the refund row is marked failed. */
export class RefundFailedError extends Error {
  constructor(paymentId: string, reason: string) {
    super(`refund of payment ${paymentId} failed at the gateway: ${reason}`);
  }
}

/** The payment row with what the rules need; locked when a refund is to be written. */
function paymentWithFacts(tx: Transaction, where: ReturnType<typeof eq>) {
  return tx
    .select({ payment: payments, booking: bookings, showStartsAt: shows.startsAt, eventStatus: events.status })
    .from(payments)
    .innerJoin(bookings, eq(bookings.id, payments.bookingId))
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .innerJoin(events, eq(events.id, bookings.eventId))
    .where(where);
}

async function lockPayment(tx: Transaction, where: ReturnType<typeof eq>) {
  const [row] = await paymentWithFacts(tx, where).for("update", { of: payments });
  return row;
}

/** The payer, or an admin of the event's tenant, may see and refund a payment. */
const mayRefund = (user: AuthenticatedUser, row: { payment: Payment; booking: { tenantId: string } }) =>
  row.payment.userId === user.id || (user.role === "admin" && user.tenant_id === row.booking.tenantId);

/**
 * GET /payments/:id/refund-quote: what POST /payments/:id/refund would give now, by the same rule,
 * so a buyer sees the percentage and the amount before asking. Reads only.
 */
export async function refundQuote(db: Database, user: AuthenticatedUser, paymentId: string, decide: (facts: RefundFacts) => RefundRule) {
  const [row] = await inScope(db, systemScope, (tx) => paymentWithFacts(tx, eq(payments.id, paymentId)));
  if (!row || !mayRefund(user, row)) throw notFound("Payment");
  if (row.payment.status !== "succeeded") throw conflict("Only a succeeded payment can be refunded", { status: row.payment.status });
  const rule = decide({ showStartsAt: row.showStartsAt, eventCancelled: row.eventStatus === "cancelled" });
  return {
    payment_id: row.payment.id,
    percent: rule.percent,
    amount: refundAmount(row.payment.amount, rule.percent),
    currency: row.payment.currency,
    reason: rule.reason,
    refundable: rule.percent > 0,
    show_starts_at: row.showStartsAt.toISOString(),
  };
}

async function activeRefund(tx: Transaction, paymentId: string) {
  const [row] = await tx
    .select()
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), ne(refunds.status, "failed")));
  return row;
}

/** The gateway part and the outcome, once a refund row is processing (or done already). */
async function completeRefund(
  dependencies: RefundDependencies,
  inFlight: RefundInFlight,
  traceparent?: string,
  gatewayWindowMs = workerGatewayWindowMs,
): Promise<{ payment: Payment; refund: Refund }> {
  const { db, gateway, publisher } = dependencies;
  const { payment, refund } = inFlight;
  if (refund.status === "succeeded") return { payment, refund };
  const outcome =
    refund.amount === 0
      ? ({ status: "succeeded", reference: "", attempts: 0 } as const)
      : await gateway.refund(
          { idempotencyKey: refund.id, chargeId: payment.gatewayReference ?? "", amount: refund.amount, currency: payment.currency },
          new Date(Date.now() + gatewayWindowMs),
        );

  if (outcome.status !== "succeeded") {
    // A refusal is final: the refund is marked failed (committed before the throw), and the next
    // request starts a new one. A call left unanswered (the deadline, the gateway unavailable) may
    // still have reached the gateway: the refund stays processing, so the next request or
    // redelivery repeats it under the same idempotency key, never as a second refund.
    const refused = outcome.status === "declined" || outcome.reason === "gateway_rejected";
    if (refused)
      await inScope(db, systemScope, (tx) =>
        tx
          .update(refunds)
          .set({ status: "failed", failureReason: outcome.reason })
          .where(and(eq(refunds.id, refund.id), eq(refunds.status, "processing"))),
      );
    throw new RefundFailedError(payment.id, outcome.reason);
  }
  const done = await inScope(db, systemScope, async (tx) => {
    const [current] = await tx.select().from(payments).where(eq(payments.id, payment.id)).for("update");
    // Someone racing this one (a redelivery, the customer's request) finished it already: the gateway answered both with one refund.
    if (current?.status === "refunded") {
      const [done] = await tx.select().from(refunds).where(eq(refunds.id, refund.id));
      return { payment: current, refund: done ?? refund, counted: false };
    }
    const [done] = await tx
      .update(refunds)
      .set({ status: "succeeded", processedAt: new Date(), gatewayReference: outcome.reference || null })
      .where(eq(refunds.id, refund.id))
      .returning();
    const [refunded] = await tx
      .update(payments)
      .set({ status: "refunded", refundedAt: new Date() })
      .where(eq(payments.id, payment.id))
      .returning();
    await publisher.publish(
      "payment.refunded",
      {
        ...paymentEventData(refunded!, inFlight.reservationId),
        refund: { amount: done!.amount, percent: done!.percent, reason: done!.reason },
      },
      inFlight.eventId,
      traceparent,
    );
    return { payment: refunded!, refund: done!, counted: true };
  });
  // Counted once the transaction that made it succeeded committed, and only by that one.
  if (done.counted) dependencies.money?.refunds.inc({ currency: done.payment.currency }, done.refund.amount);
  return { payment: done.payment, refund: done.refund };
}

export type RefundResult = "refunded" | "refund_after_charge" | "nothing_to_refund";

/**
 * The workers' refund: the payment of a booking, by the rule `decide` gives for it. A booking
 * whose payment is still being charged gets the refund recorded as pending, and the charge
 * carries it out as soon as it succeeds (or drops it when nothing was charged), so the money of a
 * booking that closed meanwhile is never kept. A booking never paid, or whose payment failed or
 * was refunded already, has nothing to refund.
 */
export async function refundBooking(
  dependencies: RefundDependencies,
  reservationId: string,
  decide: (facts: RefundFacts) => RefundRule,
  traceparent?: string,
): Promise<RefundResult> {
  const inFlight = await inScope(dependencies.db, systemScope, async (tx) => {
    const row = await lockPayment(
      tx,
      and(eq(bookings.reservationId, reservationId), inArray(payments.status, ["pending", "processing", "succeeded"]))!,
    );
    if (!row) return undefined;
    const charged = row.payment.status === "succeeded";
    const rule = decide({ showStartsAt: row.showStartsAt, eventCancelled: row.eventStatus === "cancelled" });
    const refund =
      (await activeRefund(tx, row.payment.id)) ??
      (
        await tx
          .insert(refunds)
          .values({
            paymentId: row.payment.id,
            amount: refundAmount(row.payment.amount, rule.percent),
            percent: rule.percent,
            reason: rule.reason,
            status: charged ? "processing" : "pending",
          })
          .returning()
      )[0]!;
    return charged ? { payment: row.payment, reservationId, eventId: row.booking.eventId, refund } : "after_charge";
  });
  if (!inFlight) return "nothing_to_refund";
  if (inFlight === "after_charge") return "refund_after_charge";
  await completeRefund(dependencies, inFlight, traceparent);
  return "refunded";
}

/**
 * After a charge (or a redelivery of it): a refund recorded while the payment was in flight, or
 * one a crash left half done, is carried out now that the payment succeeded.
 */
export async function resumeRefund(dependencies: RefundDependencies, paymentId: string, traceparent?: string): Promise<boolean> {
  const inFlight = await inScope(dependencies.db, systemScope, async (tx) => {
    const row = await lockPayment(tx, and(eq(payments.id, paymentId), eq(payments.status, "succeeded"))!);
    const refund = row && (await activeRefund(tx, paymentId));
    if (!row || !refund || refund.status === "succeeded") return undefined;
    const [processing] = await tx.update(refunds).set({ status: "processing" }).where(eq(refunds.id, refund.id)).returning();
    return { payment: row.payment, reservationId: row.booking.reservationId, eventId: row.booking.eventId, refund: processing! };
  });
  if (!inFlight) return false;
  await completeRefund(dependencies, inFlight, traceparent);
  return true;
}

/**
 * The reservation ids of an event's bookings that are paid or being paid: what an event
 * cancellation refunds. The event row is locked first, so this waits for the cancellation's own
 * transaction, and for any POST /payments that saw the event still on sale, to commit
 * (createPayment holds a key-share lock on it): no payment slips between the two.
 */
export async function paidBookingsOfEvent(db: Database, eventId: string): Promise<string[]> {
  return inScope(db, systemScope, async (tx) => {
    await tx.select({ id: events.id }).from(events).where(eq(events.id, eventId)).for("update");
    const rows = await tx
      .select({ reservationId: bookings.reservationId })
      .from(payments)
      .innerJoin(bookings, eq(bookings.id, payments.bookingId))
      .where(and(eq(bookings.eventId, eventId), inArray(payments.status, ["pending", "processing", "succeeded"])));
    return rows.map((row) => row.reservationId);
  });
}

export interface CustomerRefundRequest {
  user: AuthenticatedUser;
  paymentId: string;
  idempotencyKey: string;
  decide: (facts: RefundFacts) => RefundRule;
  traceparent?: string;
}

/**
 * POST /payments/:id/refund: the payer (or an admin of the event's tenant) asks for the money
 * back. Answered once the gateway has refunded (the customer sees the amount at once); the same
 * Idempotency-Key again answers the same refund. A rule that gives nothing is refused rather than
 * cancelling the booking for nothing: cancelling it anyway is POST /bookings/:id/cancel.
 */
export async function requestRefund(dependencies: RefundDependencies, request: CustomerRefundRequest) {
  const { user } = request;
  const inFlight = await inScope(dependencies.db, systemScope, async (tx) => {
    const row = await lockPayment(tx, eq(payments.id, request.paymentId));
    if (!row || !mayRefund(user, row)) throw notFound("Payment");
    const [earlier] = await tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.paymentId, row.payment.id), eq(refunds.idempotencyKey, request.idempotencyKey)));
    const facts = { payment: row.payment, reservationId: row.booking.reservationId, eventId: row.booking.eventId };
    if (earlier && earlier.status !== "failed") return { ...facts, refund: earlier };
    if (row.payment.status === "refunded") throw conflict("This payment was refunded already", { status: row.payment.status });
    if (row.payment.status !== "succeeded") throw conflict("Only a succeeded payment can be refunded", { status: row.payment.status });
    const joined = await activeRefund(tx, row.payment.id);
    if (joined) return { ...facts, refund: joined };

    const rule = request.decide({ showStartsAt: row.showStartsAt, eventCancelled: row.eventStatus === "cancelled" });
    if (rule.percent === 0) {
      throw new AppError("CONFLICT", "No refund is due less than 3 days before the show", {
        percent: 0,
        show_starts_at: row.showStartsAt.toISOString(),
      });
    }
    const values = {
      amount: refundAmount(row.payment.amount, rule.percent),
      percent: rule.percent,
      reason: rule.reason,
      status: "processing" as const,
      requestedBy: user.id,
    };
    // A retry of a request whose refund failed at the gateway tries again on the same row.
    const [refund] = earlier
      ? await tx
          .update(refunds)
          .set({ ...values, failureReason: null })
          .where(eq(refunds.id, earlier.id))
          .returning()
      : await tx
          .insert(refunds)
          .values({ ...values, paymentId: row.payment.id, idempotencyKey: request.idempotencyKey })
          .returning();
    return { ...facts, refund: refund! };
  });

  try {
    const { payment, refund } = await completeRefund(dependencies, inFlight, request.traceparent, requestGatewayWindowMs);
    return paymentView(payment, inFlight.reservationId, refund);
  } catch (error) {
    if (error instanceof RefundFailedError) throw serviceUnavailable("payment gateway");
    throw error;
  }
}
