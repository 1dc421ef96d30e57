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

export function createPaymentMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const outcomes = resultCounter(metrics, {
    name: "payment_outcomes_total",
    help: "Messages handled by the payment worker, by result: succeeded, failed, already_done (a redelivery), unknown_payment, refunded, refund_after_charge, nothing_to_refund",
    results: paymentResults,
  });
  return {
    outcomes,
    workerFailures: new Counter({
      name: "payment_worker_failures_total",
      help: "Attempts to handle a payment message that failed and were retried",
      registers,
    }),
  };
}

export type PaymentMetrics = ReturnType<typeof createPaymentMetrics>;
