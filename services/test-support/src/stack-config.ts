/**
 * Connection settings of the local stack (scripts/stack env, loaded by scripts/test). Parsed with the
 * production schemas, so a test run without the stack fails at once naming the missing variables.
 */
import { kafkaSettings, loadConfig, postgresSettings, redisSettings, redlockSettings } from "@booking-rush/lib/config";
import { createLogger } from "@booking-rush/lib/observability";

export const stackConfig = loadConfig(
  { redis: redisSettings, redlock: redlockSettings, postgres: postgresSettings, kafka: kafkaSettings },
  process.env,
);

export const testLogger = createLogger({ service: "test", level: "warn", write: () => {} });
