import { Counter, Gauge, type Metrics, resultCounter } from "../metrics";

export const reconcilerRunResults = ["clean", "repaired", "lagging", "failed"] as const;

export function createReconcilerMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const runs = resultCounter(metrics, { name: "reconciler_runs_total", help: "Reconciliation runs, by result: clean, repaired, lagging, failed", results: reconcilerRunResults });
  return {
    discrepancy: new Gauge({
      name: "inventory_discrepancy",
      help: "Seats by which Redis and PostgreSQL differ for a zone at the last reconciliation (0: equal at the same sequence)",
      labelNames: ["zone"],
      registers,
    }),
    seats: new Gauge({
      name: "inventory_seats",
      help: "A zone's seats in Redis at the last reconciliation, by state: total, available, reserved, sold (stock left per zone)",
      labelNames: ["zone", "state"],
      registers,
    }),
    zones: new Counter({ name: "reconciler_zones_total", help: "Zones reconciled, by outcome: clean, repaired, rebuilt, lagging, changed", labelNames: ["outcome"], registers }),
    runs,
  };
}

export type ReconcilerMetrics = ReturnType<typeof createReconcilerMetrics>;
