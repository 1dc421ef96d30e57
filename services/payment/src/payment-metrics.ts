import { Counter, type Metrics, resultCounter } from "@booking-rush/lib/observability";
import type { ChargeResult } from "./charge";
import type { RefundResult } from "./refund";

/** Every result the worker counts, each shown at 0 before it first happens (no "No data" panels). */
export const paymentResults = [
  "succeeded",
  "failed",
  "already_done",
  "unknown_payment",
  "refunded",
  "refund_after_charge",
  "nothing_to_refund",
] as const satisfies readonly (ChargeResult | RefundResult)[];

/**
 * Currencies with series before their first payment: events.currency defaults to THB and the
 * catalog offers no other (another one gets its series with its first payment).
 */
export const knownCurrencies = ["THB"] as const;

/**
 * Money actually moved, in minor units by currency: gross of succeeded charges (counted by the
 * worker, which charges) and of succeeded refunds (by whoever refunds: the worker, or the API on a
 * customer's request). Each is counted once, by the transaction that recorded it.
 */
export function createMoneyMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const revenue = new Counter({
    name: "payment_revenue_minor_units_total",
    help: "Gross of succeeded payments, in minor units of the currency (refunded later or not)",
    labelNames: ["currency"],
    registers,
  });
  const refunds = new Counter({
    name: "payment_refunds_minor_units_total",
    help: "Succeeded refunds, in minor units of the currency",
    labelNames: ["currency"],
    registers,
  });
  for (const currency of knownCurrencies) {
    revenue.inc({ currency }, 0);
    refunds.inc({ currency }, 0);
  }
  return { revenue, refunds };
}

export type MoneyMetrics = ReturnType<typeof createMoneyMetrics>;

export function createPaymentMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const outcomes = resultCounter(metrics, {
    name: "payment_outcomes_total",
    help: "Messages handled by the payment worker, by result: succeeded, failed, already_done (a redelivery), unknown_payment, refunded, refund_after_charge, nothing_to_refund",
    results: paymentResults,
  });
  return {
    outcomes,
    money: createMoneyMetrics(metrics),
    workerFailures: new Counter({
      name: "payment_worker_failures_total",
      help: "Attempts to handle a payment message that failed and were retried",
      registers,
    }),
  };
}

export type PaymentMetrics = ReturnType<typeof createPaymentMetrics>;
