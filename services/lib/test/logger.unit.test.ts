import { describe, expect, test } from "bun:test";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { createLogger, type LoggerOptions } from "../src/logger";

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    service: "booking",
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line));
    },
    ...options,
  });
  return { logger, lines, raw };
}

describe("logger", () => {
  test("writes one JSON object per line with the standard fields", () => {
    const { logger, lines, raw } = capture();
    logger.child({ request_id: "req-1" }).info("seat reserved", { zone_id: "z1" });
    expect(raw[0]).not.toContain("\n");
    expect(lines[0]).toMatchObject({
      level: "info",
      service: "booking",
      msg: "seat reserved",
      request_id: "req-1",
      zone_id: "z1",
      trace_id: null,
      span_id: null,
    });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time as string);
  });

  test("honours the level threshold", () => {
    const { logger, lines } = capture({ level: "warn" });
    logger.debug("a");
    logger.info("b");
    logger.warn("c");
    logger.error("d");
    expect(lines.map((line) => line.msg)).toEqual(["c", "d"]);
  });

  test("never writes passwords, secrets, tokens or authorization headers, at any depth", () => {
    const { logger, raw } = capture();
    logger.info("login", {
      email: "fan@example.com",
      password: "hunter2hunter2",
      body: { newPassword: "s3cret-pass", refresh_token: "rt-abcdef" },
      headers: { authorization: "Bearer eyJhbGciOi.payload.sig", cookie: "session=abc" },
      config: { JWT_SECRET: "jwt-signing-secret", apiKey: "key-123456" },
    });
    const line = raw[0]!;
    for (const leaked of ["hunter2hunter2", "s3cret-pass", "rt-abcdef", "eyJhbGciOi", "session=abc", "jwt-signing-secret", "key-123456"]) {
      expect(line).not.toContain(leaked);
    }
    expect(line).toContain("fan@example.com");
  });

  test("masks credentials inside URLs and configured secret values wherever they appear", () => {
    const { logger, raw } = capture({ secrets: ["redis-dev-password"] });
    logger.error("cannot connect", {
      target: "postgres://booking_rush:db-pass-123@127.0.0.1:5433/booking_rush",
      error: new Error("NOAUTH: redis-dev-password rejected"),
    });
    expect(raw[0]).not.toContain("db-pass-123");
    expect(raw[0]).not.toContain("redis-dev-password");
    expect(raw[0]).toContain("postgres://booking_rush:[redacted]@127.0.0.1:5433");
  });

  test("errors are written with name, message and stack", () => {
    const { logger, lines } = capture();
    logger.error("failed", { error: new TypeError("boom") });
    expect(lines[0]!.error).toMatchObject({ name: "TypeError", message: "boom" });
    expect(String((lines[0]!.error as { stack: string }).stack)).toContain(import.meta.file);
  });

  test("carries the active span's trace and span ids", () => {
    // What the NodeSDK installs in a running service: context follows async work.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const provider = new BasicTracerProvider();
    const span = provider.getTracer("test").startSpan("reserve");
    const { logger, lines } = capture();
    context.with(trace.setSpan(context.active(), span), () => logger.info("inside span"));
    span.end();
    expect(lines[0]!.trace_id).toBe(span.spanContext().traceId);
    expect(lines[0]!.span_id).toBe(span.spanContext().spanId);
  });

  test("a database error is logged with its SQLSTATE and the query's name, never the SQL text with its bound values", () => {
    const { logger, raw, lines } = capture();
    const postgresError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      name: "PostgresError",
      code: "22021",
      table_name: undefined,
      routine: "report_invalid_encoding",
    });
    const sql = 'insert into "bookings" ("id", "buyer_email") values ($1, $2) returning "id"';
    const wrapped = Object.assign(new Error(`Failed query: ${sql}\nparams: 7b0f6c0e,ann.buyer@example.com`, { cause: postgresError }), {
      name: "DrizzleQueryError",
      query: sql,
      params: ["7b0f6c0e", "ann.buyer@example.com"],
    });
    logger.error("request failed", { error: wrapped });
    expect(raw[0]).not.toContain("ann.buyer@example.com");
    expect(raw[0]).not.toContain("buyer_email");
    expect(lines[0]!.error).toMatchObject({
      name: "PostgresError",
      sql_state: "22021",
      query: "insert into bookings",
      routine: "report_invalid_encoding",
    });
  });
});
