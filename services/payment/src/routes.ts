import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, traceparentHeader, uuid } from "@booking-rush/lib/http";
import { currentTraceparent } from "@booking-rush/lib/observability";
import { Elysia, t } from "elysia";
import { createPayment, getPayment, type PaymentStore } from "./payments";
import { refundQuote, requestRefund } from "./refund";
import { customerRefundRule } from "./refund-rules";

const refundReasonSchema = t.Union([
  t.Literal("customer_request"),
  t.Literal("event_cancelled"),
  t.Literal("reservation_expired"),
  t.Literal("compensation"),
]);

const paymentSchema = t.Object({
  payment_id: t.String({ format: "uuid" }),
  booking_id: t.String({ format: "uuid" }),
  status: t.Union([t.Literal("pending"), t.Literal("processing"), t.Literal("succeeded"), t.Literal("failed"), t.Literal("refunded")]),
  amount: t.Integer({ description: "Minor units of the currency" }),
  currency: t.String(),
  method: t.Union([t.Literal("card"), t.Literal("bank_transfer"), t.Literal("e_wallet")]),
  failure_reason: t.Optional(t.String()),
  refund: t.Optional(
    t.Object({
      refund_id: t.String({ format: "uuid" }),
      amount: t.Integer({ description: "Minor units: floor(payment amount × percent / 100)" }),
      percent: t.Integer({
        minimum: 0,
        maximum: 100,
        description: "By the refund rules: > 7 days before the show 100, 3–7 days 50, < 3 days 0; event cancelled 100",
      }),
      reason: refundReasonSchema,
      status: t.Union([t.Literal("pending"), t.Literal("processing"), t.Literal("succeeded"), t.Literal("failed")]),
      processed_at: t.Optional(t.String({ format: "date-time" })),
    }),
  ),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
});

const refundQuoteSchema = t.Object({
  payment_id: t.String({ format: "uuid" }),
  percent: t.Integer({ minimum: 0, maximum: 100, description: "The rule that applies now (see POST /payments/:id/refund)" }),
  amount: t.Integer({ description: "Minor units: floor(payment amount × percent / 100)" }),
  currency: t.String(),
  reason: refundReasonSchema,
  refundable: t.Boolean({ description: "false when the rule gives nothing (less than 3 days before the show): a refund is refused" }),
  show_starts_at: t.String({ format: "date-time" }),
});

const postHeaders = t.Object({
  "idempotency-key": t.String({
    minLength: 1,
    maxLength: 128,
    pattern: "^[A-Za-z0-9._:-]+$",
    description: "Required; a retry with the same key and body returns the first answer",
  }),
  traceparent: traceparentHeader,
});

export const paymentRoutes = (store: PaymentStore, access: AccessControl) =>
  new Elysia({ name: "payment.routes", prefix: "/api/v1" })
    .use(authGuard(access))
    .post(
      "/payments",
      async ({ body, headers, user, set }) => {
        const { payment } = await createPayment(store, {
          user,
          bookingId: body.booking_id,
          method: body.method,
          idempotencyKey: headers["idempotency-key"],
          traceparent: currentTraceparent(headers.traceparent),
        });
        set.status = 202;
        return { success: true as const, data: payment };
      },
      {
        auth: true,
        headers: postHeaders,
        body: t.Object({ booking_id: uuid(), method: t.Union([t.Literal("card"), t.Literal("bank_transfer"), t.Literal("e_wallet")]) }),
        response: {
          202: okSchema(paymentSchema),
          ...errorResponses("NOT_FOUND", "CONFLICT", "BOOKING_NOT_OPEN", "RESERVATION_EXPIRED", "IDEMPOTENCY_KEY_REUSED"),
        },
        detail: { tags: ["payment"], summary: "Pay for a live hold; the charge happens in the background" },
      },
    )
    .get("/payments/:id", async ({ params, user }) => ({ success: true as const, data: await getPayment(store, user, params.id) }), {
      auth: true,
      params: t.Object({ id: uuid() }),
      response: { 200: okSchema(paymentSchema), ...errorResponses("NOT_FOUND") },
      detail: { tags: ["payment"], summary: "A payment: pending → processing → succeeded | failed; refunded" },
    })
    .get(
      "/payments/:id/refund-quote",
      async ({ params, user }) => {
        const at = new Date();
        return {
          success: true as const,
          data: await refundQuote(store.db, user, params.id, (facts) => customerRefundRule({ ...facts, at })),
        };
      },
      {
        auth: true,
        params: t.Object({ id: uuid() }),
        response: { 200: okSchema(refundQuoteSchema), ...errorResponses("NOT_FOUND", "CONFLICT") },
        detail: {
          tags: ["payment"],
          summary: "What a refund would give now, by the same rules as POST /payments/:id/refund: shown to the buyer before asking",
        },
      },
    )
    .post(
      "/payments/:id/refund",
      async ({ params, headers, user }) => {
        const at = new Date();
        return {
          success: true as const,
          data: await requestRefund(store, {
            user,
            paymentId: params.id,
            idempotencyKey: headers["idempotency-key"],
            decide: (facts) => customerRefundRule({ ...facts, at }),
            traceparent: currentTraceparent(headers.traceparent),
          }),
        };
      },
      {
        auth: true,
        params: t.Object({ id: uuid() }),
        headers: postHeaders,
        response: { 200: okSchema(paymentSchema), ...errorResponses("NOT_FOUND", "CONFLICT", "IDEMPOTENCY_KEY_REUSED") },
        detail: {
          tags: ["payment"],
          summary:
            "Refund by the rules (> 7 days before the show 100%, 3–7 days 50%, < 3 days refused; event cancelled 100%); the booking is cancelled and its seats go back on sale",
        },
      },
    );
