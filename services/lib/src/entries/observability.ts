/** Logger, metrics, tracing and the telemetry start-up. */
export * from "../logger";
export * from "../metrics";
export * from "../telemetry";
export * from "../tracing";
