/**
 * A Lua script's contract as its header declares it (the comment block it starts with: lines
 * `-- KEYS[n] …` and `-- ARGV[n] …`), and a runner that records the calls a typed script function
 * makes instead of running them: together they check a typed call against its script's header
 * without Redis.
 */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { luaDirectory, type ScriptArgument, type ScriptRunner } from "@booking-rush/lib/clients";

export interface LuaHeader {
  /** Highest KEYS[n] of the header; undefined when it declares `KEYS[1..n]` (any number of keys). */
  keys: number | undefined;
  /** Highest ARGV[n] of the header. */
  args: number;
}

export function luaHeader(script: string): LuaHeader {
  const source = readFileSync(join(luaDirectory, `${script}.lua`), "utf8");
  const lines = source.split("\n");
  const firstCode = lines.findIndex((line) => !line.startsWith("--"));
  const text = lines.slice(0, firstCode === -1 ? lines.length : firstCode).join("\n");
  const highest = (pattern: RegExp) => Math.max(0, ...[...text.matchAll(pattern)].map((match) => Number(match[1])));
  return {
    keys: /KEYS\[1\.\.n\]/.test(text) ? undefined : highest(/KEYS\[(\d+)\]/g),
    args: highest(/ARGV\[(\d+)\]/g),
  };
}

export interface RecordedCall {
  script: string;
  keys: string[];
  args: ScriptArgument[];
}

/** A ScriptRunner that runs nothing: it records each call and answers `reply`. */
export function recordingRunner(reply: unknown = ["ok", "{}"]) {
  const calls: RecordedCall[] = [];
  const runner: ScriptRunner = {
    async run<T>(script: string, keys: string[], args: ScriptArgument[]): Promise<T> {
      calls.push({ script, keys, args });
      return reply as T;
    },
  };
  return { runner, calls };
}

/** The one call a typed function made, checked against its script's header: the same script, as many keys and arguments. */
export function expectCallMatchesHeader(calls: RecordedCall[], script: string) {
  expect(calls.length).toBe(1);
  const [call] = calls;
  const header = luaHeader(script);
  expect(call!.script).toBe(script);
  if (header.keys !== undefined) expect(call!.keys.length).toBe(header.keys);
  expect(call!.args.length).toBe(header.args);
  // Every declared slot is filled: nothing undefined slips through as an empty argument.
  expect([...call!.keys, ...call!.args].filter((value) => value === undefined || value === null)).toEqual([]);
}
