import { describe, expect, test } from "bun:test";
import { ConfigError, describeSettings, loadConfig, secretValues } from "../src/config";
import { authSettings, kafkaSettings, redisSettings, serviceSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "booking", port: 3003 }),
  redis: redisSettings,
  auth: authSettings,
  kafka: kafkaSettings,
};
const validEnv = { JWT_SECRET: "s".repeat(32), KAFKA_BROKERS: "127.0.0.1:9092" };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(groups, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("config", () => {
  test("applies defaults and converts types", () => {
    const config = loadConfig(groups, { ...validEnv, PORT: "8080", REDIS_SENTINELS: "10.0.0.1:26379,sentinel-2:26380" });
    expect(config.service).toMatchObject({
      name: "booking",
      port: 8080,
      logLevel: "info",
      environment: "development",
      corsOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
    });
    expect(config.redis.sentinels).toEqual([
      { host: "10.0.0.1", port: 26379 },
      { host: "sentinel-2", port: 26380 },
    ]);
    expect(config.redis.masterName).toBe("mymaster");
    expect(config.kafka.brokers).toEqual(["127.0.0.1:9092"]);
    expect(config.auth.accessTokenTtlSeconds).toBe(900);
  });

  test("the per-service default port is used when PORT is unset", () => {
    expect(loadConfig(groups, validEnv).service.port).toBe(3003);
  });

  test("names every bad and every missing variable in one error", () => {
    const problems = problemsOf({ PORT: "eighty", LOG_LEVEL: "loud", REDIS_SENTINELS: "host-without-port", JWT_SECRET: "short" });
    expect(problems).toHaveLength(5);
    expect(problems.find((problem) => problem.startsWith("PORT"))).toContain('"eighty"');
    expect(problems.find((problem) => problem.startsWith("LOG_LEVEL"))).toContain("must be one of debug, info, warn, error");
    expect(problems.find((problem) => problem.startsWith("REDIS_SENTINELS"))).toContain("wrong format");
    expect(problems.find((problem) => problem.startsWith("KAFKA_BROKERS"))).toContain("is required");
    expect(problems.find((problem) => problem.startsWith("JWT_SECRET"))).toBeDefined();
  });

  test("never prints the value of a secret setting", () => {
    const problems = problemsOf({ ...validEnv, JWT_SECRET: "hunter2-short" });
    expect(problems.join("\n")).not.toContain("hunter2");
    expect(problems[0]).toContain("<hidden>");
  });

  test("rejects out-of-range numbers and non-integers", () => {
    expect(problemsOf({ ...validEnv, PORT: "70000" })[0]).toStartWith("PORT");
    expect(problemsOf({ ...validEnv, PORT: "80.5" })[0]).toStartWith("PORT");
  });

  test("an empty variable counts as unset", () => {
    expect(loadConfig(groups, { ...validEnv, PORT: "", LOG_LEVEL: " " }).service).toMatchObject({ port: 3003, logLevel: "info" });
    expect(problemsOf({ ...validEnv, KAFKA_BROKERS: "" })[0]).toContain("KAFKA_BROKERS is required");
  });

  test("lists CORS origins", () => {
    const config = loadConfig(groups, { ...validEnv, CORS_ORIGINS: "https://a.example, https://b.example" });
    expect(config.service.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  test("secret values are collected for the logger, public ones are not", () => {
    const values = secretValues(groups, { ...validEnv, REDIS_PASSWORD: "redis-pass", PORT: "8080" });
    expect(values.sort()).toEqual(["redis-pass", "s".repeat(32)].sort());
  });

  test("describes every setting for the configuration table", () => {
    const rows = describeSettings(groups);
    const jwt = rows.find((row) => row.name === "JWT_SECRET");
    expect(jwt).toMatchObject({ group: "auth", required: true, secret: true });
    expect(rows.find((row) => row.name === "PORT")).toMatchObject({ required: false, default: "3003" });
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
  });
});
