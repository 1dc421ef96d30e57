import { describe, expect, test } from "bun:test";
import { FormatRegistry } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { createHttpApp } from "../src/http/server";
import { calendarDate, isCalendarDate, isDateTime, isUuid, uuid } from "../src/schemas";

describe("string formats", () => {
  test("the kernel's checks stay in force after @elysiajs/openapi registered its own (it builds a Zod schema per check)", () => {
    expect(typeof createHttpApp).toBe("function"); // the kernel, and with it the plugin, is loaded
    expect(FormatRegistry.Get("uuid")).toBe(isUuid);
    expect(FormatRegistry.Get("date-time")).toBe(isDateTime);
    expect(FormatRegistry.Get("date")).toBe(isCalendarDate);
  });

  test("date accepts a YYYY-MM-DD day that exists; nothing else", () => {
    const check = TypeCompiler.Compile(calendarDate());
    for (const valid of ["2000-02-29", "2024-12-31", "0001-01-01", "9999-12-31", "1999-06-15"])
      expect({ valid, accepted: check.Check(valid) }).toEqual({ valid, accepted: true });
    for (const invalid of [
      "",
      "1900-02-29", // not a leap year
      "2023-02-29",
      "2024-04-31",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "0000-01-01",
      "2024-1-01",
      "24-01-01",
      "+02024-01-01",
      "2024-01-01T00:00:00Z",
      "2024-01-01 ",
      "2024/01/01",
    ])
      expect({ invalid, accepted: check.Check(invalid) }).toEqual({ invalid, accepted: false });
  });

  test("uuid accepts RFC 9562 UUIDs of any version 1-8, either case, and the nil and max UUIDs; nothing else", () => {
    const check = TypeCompiler.Compile(uuid());
    for (const valid of [
      crypto.randomUUID(),
      crypto.randomUUID().toUpperCase(),
      "0190b3a2-7c1e-7d4a-9f3b-2a1c4e5f6a7b", // v7
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8", // v1
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ])
      expect({ valid, accepted: check.Check(valid) }).toEqual({ valid, accepted: true });
    for (const invalid of [
      "",
      "not-a-uuid",
      "6ba7b810-9dad-01d1-80b4-00c04fd430c8", // version 0
      "6ba7b810-9dad-91d1-80b4-00c04fd430c8", // version 9
      "6ba7b810-9dad-11d1-c0b4-00c04fd430c8", // variant c
      "6ba7b8109dad11d180b400c04fd430c8", // no dashes
      "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
      "6ba7b810-9dad-11d1-80b4-00c04fd430c8\n",
      " 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
    ])
      expect({ invalid, accepted: check.Check(invalid) }).toEqual({ invalid, accepted: false });
  });
});
