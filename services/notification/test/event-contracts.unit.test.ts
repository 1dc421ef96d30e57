/** The payment topics' contract (lib/src/events/payment-events.ts) as producers and consumers see it. */
import { describe, expect, test } from "bun:test";
import { outboxMessage } from "@booking-rush/booking/outbox-message";
import {
  type PaymentEventData,
  parseBookingEvent,
  parseEventCancelled,
  parsePaymentEvent,
  paymentEventMessage,
} from "@booking-rush/lib/contracts";

const payment: PaymentEventData = {
  payment_id: crypto.randomUUID(),
  booking_id: crypto.randomUUID(),
  user_id: crypto.randomUUID(),
  amount: 300_000,
  currency: "THB",
  status: "failed",
  failure_reason: "declined",
};

describe("payment event contract", () => {
  test("a message a producer builds parses back to the same event, with the fact's id", () => {
    const message = paymentEventMessage("payment.failed", payment, new Date("2026-01-02T03:04:05Z"));
    expect(message).toEqual({
      event_id: `payment.failed:${payment.payment_id}`,
      type: "payment.failed",
      occurred_at: "2026-01-02T03:04:05.000Z",
      data: payment,
    });
    expect(parsePaymentEvent(Buffer.from(JSON.stringify(message)))).toEqual({
      event: { eventId: message.event_id, type: "payment.failed", occurredAt: message.occurred_at, payment },
    });
  });

  test("each type's rules hold on both sides", () => {
    expect(() => paymentEventMessage("payment.failed", { ...payment, failure_reason: undefined })).toThrow("needs a failure_reason");
    expect(() => paymentEventMessage("payment.refunded", { ...payment, status: "refunded" })).toThrow("needs a refund");
    expect(() =>
      paymentEventMessage("payment.refunded", {
        ...payment,
        status: "refunded",
        refund: { amount: 300_001, percent: 100, reason: "event_cancelled" },
      }),
    ).toThrow("exceeds");
    expect(() => paymentEventMessage("payment.succeeded", payment)).toThrow("needs status succeeded");
    expect(() => paymentEventMessage("payment.failed", { ...payment, amount: 1.5 })).toThrow("/amount");
    const wrong = { event_id: "x", type: "payment.succeeded", occurred_at: "now", data: payment };
    expect(parsePaymentEvent(JSON.stringify(wrong))).toEqual({
      reason: "not a payment event: payment.succeeded needs status succeeded, not failed",
    });
    expect(parsePaymentEvent("{")).toEqual({ reason: "not JSON" });
    expect(parsePaymentEvent(JSON.stringify({ ...wrong, data: { ...payment, user_id: "nope" } }))).toMatchObject({
      reason: expect.stringContaining("/data/user_id"),
    });
  });

  test("a booking event whose seq disagrees with its booking is refused", () => {
    const booking = {
      booking_id: crypto.randomUUID(),
      user_id: crypto.randomUUID(),
      event_id: crypto.randomUUID(),
      show_id: crypto.randomUUID(),
      zone_id: crypto.randomUUID(),
      quantity: 1,
      status: "confirmed",
      created_at_ms: 1,
      expires_at_ms: 2,
      seq: 3,
    };
    const message = {
      event_id: `booking.confirmed:${booking.booking_id}`,
      type: "booking.confirmed",
      occurred_at: "now",
      seq: 3,
      data: booking,
    };
    expect(parseBookingEvent(JSON.stringify(message))).toMatchObject({
      event: { eventId: message.event_id, seq: 3, zoneId: booking.zone_id },
    });
    expect(parseBookingEvent(JSON.stringify({ ...message, seq: 4 }))).toEqual({ reason: "message seq and booking seq differ" });
  });

  test("event.cancelled as the relay sends it (from lua/cancel-event.lua's outbox entry) parses; anything else is refused with a reason", () => {
    const concertEventId = crypto.randomUUID();
    const tenantId = crypto.randomUUID();
    const { message } = outboxMessage(concertEventId, {
      event_id: `event.cancelled:${concertEventId}`,
      type: "event.cancelled",
      occurred_at_ms: "1700000000000",
      payload: JSON.stringify({ event_id: concertEventId, tenant_id: tenantId, cancelled_at_ms: 1_700_000_000_000 }),
    });
    expect(parseEventCancelled(message.value as string)).toEqual({
      event: { messageId: `event.cancelled:${concertEventId}`, concertEventId, tenantId, cancelledAt: new Date(1_700_000_000_000) },
    });
    expect(parseEventCancelled("{nope")).toEqual({ reason: "not JSON" });
    const wrong = parseEventCancelled(JSON.stringify({ ...JSON.parse(message.value as string), data: { event_id: "x" } }));
    expect("reason" in wrong && wrong.reason.startsWith("not an event.cancelled message:")).toBe(true);
  });
});
