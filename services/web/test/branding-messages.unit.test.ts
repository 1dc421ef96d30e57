/**
 * The admin's message for each refusal of a branding change (client/branding-messages.ts), from
 * the error details the catalog's branding routes send (services/catalog/src/branding.ts).
 */
import { describe, expect, test } from "bun:test";
import { errorStatus } from "@booking-rush/lib/errors";
import { brandingMessage } from "../src/client/branding-messages";
import { messageFor } from "../src/client/messages";

const refused = (field: string, message: string, where = "body") => ({
  code: "VALIDATION_ERROR",
  status: 400,
  details: { fields: [{ in: where, field, message }] },
});

describe("branding messages", () => {
  test("each refusal of the branding routes has its own words, saying what to do and that nothing changed", () => {
    const cases = {
      contrast: brandingMessage(
        refused("primary_color", "white text on it has a contrast of 1.07:1, below WCAG AA's 4.5:1; choose a darker colour"),
      ),
      colourFormat: brandingMessage(refused("accent_color", "Expected string to match '^#[0-9a-fA-F]{6}$'")),
      notAnImage: brandingMessage(refused("", "must be a PNG, JPEG or WebP image")),
      wrongType: brandingMessage(refused("content-type", "the bytes are image/png, not image/jpeg", "header")),
      tooLarge: brandingMessage({ code: "PAYLOAD_TOO_LARGE", status: 413 }),
      forbidden: brandingMessage({ code: "FORBIDDEN", status: 403 }),
      unauthorized: brandingMessage({ code: "UNAUTHORIZED", status: 401 }),
      notFound: brandingMessage({ code: "NOT_FOUND", status: 404 }),
      unavailable: brandingMessage({ code: "SERVICE_UNAVAILABLE", status: 503 }),
    };
    for (const [name, message] of Object.entries(cases)) {
      expect(message, name).toMatch(/^[A-Z].+\.$/);
      expect(message, name).toMatch(/(Nothing|nothing|logo) was (not )?changed/);
      expect(message, name).not.toMatch(/[A-Z]{2,}_[A-Z]/);
    }
    expect(new Set(Object.values(cases)).size).toBe(Object.keys(cases).length);
    expect(cases.contrast).toContain("4.5 to 1");
    expect(cases.contrast).toContain("darker");
    expect(cases.tooLarge).toContain("100 KB");
    expect(cases.notAnImage).toContain("SVG");
  });

  test("a 429 and any other code read as everywhere else in the app", () => {
    for (const code of ["RATE_LIMITED", "INTERNAL_ERROR", "HEADERS_TOO_LARGE"] as const) {
      const facts = { code, status: errorStatus[code], retryAfterSeconds: 3 };
      expect(brandingMessage(facts), code).toBe(messageFor(facts));
    }
    expect(brandingMessage({ code: "NETWORK", status: 0 })).toContain("could not reach");
    // A validation error of another field keeps the server's field list.
    expect(brandingMessage(refused("x", "bad"))).toContain("x: bad");
  });
});
