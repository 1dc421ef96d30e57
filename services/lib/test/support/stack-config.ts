/**
 * Connection settings of the local stack (scripts/stack env, loaded by scripts/test). Parsed with the
 * production schemas, so a test run without the stack fails at once naming the missing variables.
 */
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { kafkaSettings, postgresSettings, redisSettings, redlockSettings } from "../../src/settings";

export const stackConfig = loadConfig(
  { redis: redisSettings, redlock: redlockSettings, postgres: postgresSettings, kafka: kafkaSettings },
  process.env,
);

export const testLogger = createLogger({ service: "test", level: "warn", write: () => {} });
