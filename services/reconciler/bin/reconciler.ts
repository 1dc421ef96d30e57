/**
 * The reconciler. `RECONCILER_MODE=once` (the CronJob, and `bun run services/reconciler/bin/reconciler.ts`
 * locally): one pass over every live event, a summary line, and the exit code of its result
 * (0 clean, 2 repaired, 3 lagging, 1 failed). `loop`: a long-running worker that makes a pass every
 * interval while it holds the leadership (one replica works, the others stand by), serving
 * /healthz, /readyz and /metrics like every process.
 */

import { createProcessLeadership, leaderElectionSettings, pingPostgres, pingRedis } from "@booking-rush/lib/clients";
import {
  bookingRecordSettings,
  kafkaSettings,
  loadConfigOrExit,
  postgresSettings,
  redisSettings,
  redlockSettings,
  serviceSettings,
  telemetrySettings,
} from "@booking-rush/lib/config";
import { runProcess, startProcess, startWorkerLoop } from "@booking-rush/lib/process";
import { createReconciler } from "../src/reconciler-clients";
import { reconcilerSettings } from "../src/reconciler-settings";
import { exitCodeOf, reconcileAll } from "../src/run";

const groups = {
  service: serviceSettings({ name: "reconciler", port: 3061 }),
  redis: redisSettings,
  redlock: redlockSettings,
  leaderElection: leaderElectionSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  booking: bookingRecordSettings,
  reconciler: reconcilerSettings,
  telemetry: telemetrySettings,
};

if (loadConfigOrExit({ reconciler: reconcilerSettings }, process.env).reconciler.mode === "once") {
  // Its counts and discrepancies go to Redis, where the booking service exports them (run.ts).
  const { config, logger, telemetry } = startProcess(groups);
  const reconciler = createReconciler(config, logger);
  let code = exitCodeOf.failed;
  try {
    const { result, reports } = await reconcileAll(reconciler.dependencies, reconciler.options);
    const count = (outcome: string) => reports.filter((report) => report.outcome === outcome).length;
    logger.info("reconciliation done", {
      result,
      zones: reports.length,
      repaired: count("repaired"),
      rebuilt: count("rebuilt"),
      lagging: count("lagging"),
      changed: count("changed"),
    });
    code = exitCodeOf[result];
  } catch (error) {
    logger.error("reconciliation failed", { error: error instanceof Error ? error.message : String(error) });
  } finally {
    await reconciler.close();
    await telemetry.shutdown();
  }
  process.exit(code);
} else {
  runProcess(groups, (config, logger) => {
    const reconciler = createReconciler(config, logger);
    const leadership = createProcessLeadership(
      config.leaderElection,
      reconciler.dependencies.locks,
      "reconciler",
      Math.max(10_000, config.reconciler.intervalMs * 2),
      logger,
    );
    const loop = startWorkerLoop({
      name: "reconciler",
      logger,
      intervalMs: config.reconciler.intervalMs,
      async step() {
        if (!(await leadership.lead())) return 0;
        return (await reconcileAll(reconciler.dependencies, reconciler.options)).reports.length;
      },
    });
    return {
      checks: { redis: pingRedis(reconciler.dependencies.redis), postgres: pingPostgres(reconciler.postgres) },
      workers: [
        { name: "reconciler", run: () => loop.stop() },
        { name: "leadership", run: () => leadership.release() },
      ],
      clients: [{ name: "reconciler clients", run: () => reconciler.close() }],
    };
  });
}
