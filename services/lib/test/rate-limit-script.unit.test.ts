/**
 * takeRateLimitTokens against lua/rate-limit.lua's header, and every script of lua/ against the
 * typed calls: each has a header declaring its KEYS and ARGV and exactly one typed call (the
 * per-service *-scripts.unit.test.ts check those calls against the headers).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { luaDirectory, readLuaScripts, takeRateLimitTokens } from "@booking-rush/lib/clients";
import { expectCallMatchesHeader, luaHeader, recordingRunner } from "@booking-rush/test-support/lua-header";

/** Where each script's typed call lives (relative to services/). */
const typedCallFiles = [
  "lib/src/clients/rate-limit-script.ts",
  "booking/src/booking-scripts.ts",
  "catalog/src/catalog-scripts.ts",
  "reconciler/src/repair-scripts.ts",
];

describe("typed calls of lua/", () => {
  test("rate-limit: the buckets are its keys, and as many ARGV as rate-limit.lua declares", async () => {
    const { runner, calls } = recordingRunner([1, 0, 2]);
    await takeRateLimitTokens(runner, { buckets: ["{rl:login}:ip:a", "{rl:login}:email:b"], burst: 3, perMinute: 5 });
    expectCallMatchesHeader(calls, "rate-limit");
    expect(calls[0]!.keys).toEqual(["{rl:login}:ip:a", "{rl:login}:email:b"]);
  });

  test("every script declares its KEYS and ARGV and has exactly one typed call", () => {
    const sources = typedCallFiles.map((file) => readFileSync(join(luaDirectory, "..", "services", file), "utf8"));
    for (const script of readLuaScripts(luaDirectory).keys()) {
      const header = luaHeader(script);
      expect({ script, declaresKeys: header.keys !== 0, declaresArgs: header.args > 0 }).toEqual({
        script,
        declaresKeys: true,
        declaresArgs: true,
      });
      const runs = sources.flatMap((source) => [...source.matchAll(new RegExp(`\\.run<[^>]*>\\(\\s*"${script}"`, "g"))]);
      expect({ script, typedCalls: runs.length }).toEqual({ script, typedCalls: 1 });
    }
  });
});
