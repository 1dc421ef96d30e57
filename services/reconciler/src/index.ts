/**
 * What other services use of the reconciliation: booking's admin endpoints run the same
 * reconciliation on demand and export its outcomes; services/all mounts its settings;
 * loadtest/bench-growth times a whole pass.
 */
export * from "./classify";
export * from "./discrepancy-publisher";
export * from "./postgres-side";
export * from "./reconcile";
export * from "./reconciler-clients";
export * from "./reconciler-settings";
export * from "./reconciliation-record";
export * from "./redis-side";
export * from "./run";
