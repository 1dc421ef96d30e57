import { describe, expect, test } from "bun:test";
import { t, ValidationError } from "elysia";
import { errorBody, ok, page } from "../src/envelope";
import { AppError, errorCodes, errorStatus, rateLimited, serviceUnavailable } from "../src/errors";
import { DependencyUnavailableError } from "../src/http/dependency-errors";
import { toAppError } from "../src/http/error-handler";

describe("error codes", () => {
  test("map to the HTTP statuses of the API contract", () => {
    expect(errorStatus).toMatchObject({
      VALIDATION_ERROR: 400,
      UNAUTHORIZED: 401,
      PAYMENT_FAILED: 402,
      FORBIDDEN: 403,
      QUEUE_REQUIRED: 403,
      AGE_RESTRICTED: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      CONFLICT: 409,
      INSUFFICIENT_STOCK: 409,
      SEAT_UNAVAILABLE: 409,
      MAX_PER_USER_EXCEEDED: 409,
      BOOKING_NOT_OPEN: 409,
      ALREADY_WAITLISTED: 409,
      WAITLIST_FULL: 409,
      RESERVATION_EXPIRED: 410,
      PAYLOAD_TOO_LARGE: 413,
      IDEMPOTENCY_KEY_REUSED: 422,
      RATE_LIMITED: 429,
      HEADERS_TOO_LARGE: 431,
      INTERNAL_ERROR: 500,
      SERVICE_UNAVAILABLE: 503,
    });
    expect(errorCodes).toHaveLength(22);
  });

  test("a domain error carries code, status and details", () => {
    const error = new AppError("INSUFFICIENT_STOCK", "Not enough seats", { available: 2, requested: 4 });
    expect(error.status).toBe(409);
    expect(errorBody(error)).toEqual({
      success: false,
      error: { code: "INSUFFICIENT_STOCK", message: "Not enough seats", details: { available: 2, requested: 4 } },
    });
  });

  test("rate limiting sets Retry-After in whole seconds, at least one", () => {
    expect(rateLimited(2.2).headers["Retry-After"]).toBe("3");
    expect(rateLimited(0.01).headers["Retry-After"]).toBe("1");
  });
});

describe("envelope", () => {
  test("success, list and error shapes", () => {
    expect(ok({ id: 1 })).toEqual({ success: true, data: { id: 1 } });
    expect(page([1, 2], { page: 1, per_page: 2, total: 9 })).toEqual({
      success: true,
      data: [1, 2],
      meta: { page: 1, per_page: 2, total: 9 },
    });
    expect(errorBody(new AppError("NOT_FOUND", "Booking not found"))).toEqual({
      success: false,
      error: { code: "NOT_FOUND", message: "Booking not found" },
    });
  });
});

describe("mapping unknown errors", () => {
  test("an unexpected error is INTERNAL_ERROR and its message is not passed on", () => {
    const mapped = toAppError("UNKNOWN", new TypeError("cannot read properties of undefined (reading 'seat')"));
    expect(mapped.code).toBe("INTERNAL_ERROR");
    expect(mapped.status).toBe(500);
    expect(JSON.stringify(errorBody(mapped))).not.toContain("seat");
  });

  test("dependency failures are SERVICE_UNAVAILABLE", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });
    const retries = Object.assign(new Error("Reached the max retries per request limit"), { name: "MaxRetriesPerRequestError" });
    const pgClosed = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
    const aborted = Object.assign(new Error("Command aborted due to connection close"), { name: "AbortError" });
    for (const error of [refused, retries, pgClosed, aborted, new Error("Command timed out"), new DependencyUnavailableError("kafka")]) {
      const mapped = toAppError("UNKNOWN", error);
      expect(mapped.code).toBe("SERVICE_UNAVAILABLE");
      expect(mapped.status).toBe(503);
    }
    expect(serviceUnavailable("redis").details).toEqual({ dependency: "redis" });
  });

  test("a kafkajs error is SERVICE_UNAVAILABLE when kafkajs calls it retriable, INTERNAL_ERROR when not", () => {
    const kafkaError = (name: string, retriable: boolean) =>
      Object.assign(new Error("There is no leader for this topic-partition"), { name, retriable });
    expect(toAppError("UNKNOWN", kafkaError("KafkaJSProtocolError", true)).status).toBe(503);
    expect(toAppError("UNKNOWN", kafkaError("KafkaJSRequestTimeoutError", true)).status).toBe(503);
    expect(toAppError("UNKNOWN", kafkaError("KafkaJSProtocolError", false)).status).toBe(500);
    expect(toAppError("UNKNOWN", kafkaError("SomethingElse", true)).status).toBe(500);
  });

  test("schema failures name each failing field", () => {
    const schema = t.Object({ quantity: t.Integer({ minimum: 1 }), show_id: t.String({ format: "uuid" }) });
    const mapped = toAppError("VALIDATION", new ValidationError("body", schema, { quantity: 0, show_id: "x" }));
    expect(mapped.code).toBe("VALIDATION_ERROR");
    const fields = ((mapped.details?.fields ?? []) as { field: string; in: string }[]).map((field) => `${field.in}:${field.field}`);
    expect(fields.sort()).toEqual(["body:quantity", "body:show_id"]);
  });

  test("a response that fails its own schema is our bug, not the caller's", () => {
    const mapped = toAppError("VALIDATION", new ValidationError("response", t.Object({ id: t.String() }), { id: 1 }));
    expect(mapped.code).toBe("INTERNAL_ERROR");
  });
});
