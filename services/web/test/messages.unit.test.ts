/** The buyer's message for each error code of the API (client/messages.ts). */
import { describe, expect, test } from "bun:test";
import { errorCodes, errorStatus } from "@booking-rush/lib/errors";
import { knownCodes, messageFor } from "../src/client/messages";

describe("error messages", () => {
  test("every error code the platform can answer has its own message, and no code is invented", () => {
    expect([...knownCodes].sort()).toEqual([...errorCodes].sort());
    const messages = errorCodes.map((code) => messageFor({ code, status: errorStatus[code] }));
    for (const [index, message] of messages.entries()) {
      expect(message, errorCodes[index]).toMatch(/^[A-Z].+[.!]$/);
      expect(message, errorCodes[index]).not.toContain(errorCodes[index]!);
    }
    // SEAT_UNAVAILABLE and INSUFFICIENT_STOCK are not the same news.
    expect(new Set(messages).size).toBe(messages.length);
  });

  test("a 429 says when to try again, from Retry-After", () => {
    expect(messageFor({ code: "RATE_LIMITED", status: 429, retryAfterSeconds: 7 })).toContain("wait 7 seconds");
    expect(messageFor({ code: "RATE_LIMITED", status: 429, retryAfterSeconds: 1 })).toContain("wait 1 second ");
    expect(messageFor({ code: "RATE_LIMITED", status: 429 })).toContain("wait a moment");
  });

  test("a 503 says nothing was changed and to try again", () => {
    const message = messageFor({ code: "SERVICE_UNAVAILABLE", status: 503 });
    expect(message).toContain("nothing was changed");
    expect(message).toContain("try again");
  });

  test("a 503 with Retry-After says when to try again", () => {
    expect(messageFor({ code: "SERVICE_UNAVAILABLE", status: 503, retryAfterSeconds: 3 })).toContain("try again in 3 seconds");
  });

  test("a read the page tries again by itself says so, with when, and asks nothing of the buyer", () => {
    const limited = messageFor({ code: "RATE_LIMITED", status: 429, retryAfterSeconds: 2, retryingInSeconds: 2 });
    expect(limited).toContain("too many requests from your connection");
    expect(limited).toContain("We will try again by ourselves in 2 seconds; you need not reload the page.");
    const down = messageFor({ code: "SERVICE_UNAVAILABLE", status: 503, retryingInSeconds: 1 });
    expect(down).toContain("not answering just now");
    expect(down).toContain("in 1 second;");
    // Only the passing refusals are told as retried: any other error keeps its own message.
    expect(messageFor({ code: "NOT_FOUND", status: 404, retryingInSeconds: 2 })).toBe(messageFor({ code: "NOT_FOUND", status: 404 }));
  });

  test("the details the API sends are used: fields, seats left, minimum age", () => {
    expect(
      messageFor({
        code: "VALIDATION_ERROR",
        status: 400,
        details: { fields: [{ in: "body", field: "password", message: "Expected string length greater or equal to 8" }] },
      }),
    ).toContain("password: Expected string length greater or equal to 8");
    expect(messageFor({ code: "INSUFFICIENT_STOCK", status: 409, details: { available: 2, requested: 4 } })).toContain("only 2");
    expect(messageFor({ code: "AGE_RESTRICTED", status: 403, details: { min_age: 18 } })).toContain("aged 18 or over");
  });

  test("an unknown code falls back on its status, and no answer at all is a connection problem", () => {
    expect(messageFor({ code: "HTTP_502", status: 502 })).toBe(messageFor({ code: "INTERNAL_ERROR", status: 500 }));
    expect(messageFor({ code: "NETWORK", status: 0 })).toContain("could not reach");
    expect(messageFor({ code: "HTTP_418", status: 418 })).toBe("That did not work. Please try again.");
  });
});
