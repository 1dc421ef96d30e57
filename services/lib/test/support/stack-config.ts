/**
 * Connection settings of the local stack (scripts/stack env, loaded by scripts/test). Parsed with the
 * production schemas, so a test run without the stack fails at once naming the missing variables.
 */
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { kafkaSettings, postgresSettings, redisSettings, redlockSettings } from "../../src/settings";

export const stackConfig = loadConfig({ redis: redisSettings, redlock: redlockSettings, postgres: postgresSettings, kafka: kafkaSettings }, process.env);

import { appendFileSync } from "node:fs";
const debugFile = process.env.TEST_LOG_FILE;
export const testLogger = createLogger({ service: "test", level: debugFile ? "debug" : "warn", write: debugFile ? (line) => appendFileSync(debugFile, `${line}\n`) : () => {} });
