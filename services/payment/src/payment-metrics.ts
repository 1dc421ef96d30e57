import { Counter, type Metrics } from "@booking-rush/lib";

export function createPaymentMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    outcomes: new Counter({
      name: "payment_outcomes_total",
      help: "Messages handled by the payment worker, by result: succeeded, failed, already_done (a redelivery), unknown_payment, refunded, nothing_to_refund",
      labelNames: ["result"],
      registers,
    }),
    workerFailures: new Counter({ name: "payment_worker_failures_total", help: "Attempts to handle a payment message that failed and were retried", registers }),
  };
}

export type PaymentMetrics = ReturnType<typeof createPaymentMetrics>;
