/**
 * The expiry sweeper: closes holds whose time is up (seats back, booking.expired to the outbox).
 * Leader-only, safe as several replicas (src/leader-worker.ts). Serves /healthz, /readyz and
 * /metrics like every process.
 */
import { leaderElectionSettings } from "@booking-rush/lib/clients";
import { redisSettings, redlockSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { startExpirySweeper } from "../src/hold-expiry";
import { leaderWorkerParts } from "../src/leader-worker";
import { bookingSettings, expirySweeperSettings } from "../src/settings";
import { createExpiryMetrics } from "../src/worker-metrics";

const groups = {
  service: serviceSettings({ name: "expiry-sweeper", port: 3031 }),
  redis: redisSettings,
  redlock: redlockSettings,
  leaderElection: leaderElectionSettings,
  booking: bookingSettings,
  sweeper: expirySweeperSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) =>
  leaderWorkerParts(config, logger, {
    name: "expiry-sweeper",
    intervalMs: config.sweeper.intervalMs,
    loop: "expiry sweep",
    start: (clients) =>
      startExpirySweeper(
        { ...clients, logger, metrics: createExpiryMetrics(metrics) },
        { ...config.sweeper, recordTtlSeconds: config.booking.recordTtlSeconds },
      ),
  }),
);
