/**
 * API.md's refund rules, decided at the moment the customer asked (or cancelled):
 * more than 7 days before the show 100%, 3 to 7 days 50%, less than 3 days 0%; an event the
 * organizer cancelled 100% whenever. Exactly 7 days and exactly 3 days fall in the 50% band.
 */
import type { RefundData } from "@booking-rush/lib/contracts";

export interface RefundRule {
  percent: number;
  reason: RefundData["reason"];
}

const dayMs = 24 * 60 * 60 * 1000;

export function customerRefundRule(facts: { showStartsAt: Date; eventCancelled: boolean; at: Date }): RefundRule {
  if (facts.eventCancelled) return { percent: 100, reason: "event_cancelled" };
  const ahead = facts.showStartsAt.getTime() - facts.at.getTime();
  if (ahead > 7 * dayMs) return { percent: 100, reason: "customer_request" };
  if (ahead >= 3 * dayMs) return { percent: 50, reason: "customer_request" };
  return { percent: 0, reason: "customer_request" };
}

/** floor(amount × percent / 100): the customer is never refunded more than the rule gives. */
export const refundAmount = (paymentAmount: number, percent: number) => Math.floor((paymentAmount * percent) / 100);
