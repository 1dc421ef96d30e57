/**
 * The scripts of lua/, run by SHA. Redis forgets loaded scripts on restart, failover to a replica
 * that never saw SCRIPT LOAD, or SCRIPT FLUSH; a NOSCRIPT answer loads the source and runs it again.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Redis } from "ioredis";

/** The project's `lua/` folder: every Redis script of every service. */
export const luaDirectory = join(import.meta.dir, "..", "..", "..", "..", "lua");

export interface LuaScript {
  name: string;
  source: string;
  sha: string;
}

/**
 * Every `name.lua` of the directory is a script. Files starting with `_` are fragments shared by
 * several scripts (Redis has no `require`): a line `-- include: _fragment.lua` is replaced by that
 * file's text, so the logic exists once and each script is still one atomic EVAL.
 */
export function readLuaScripts(directory: string): Map<string, LuaScript> {
  const scripts = new Map<string, LuaScript>();
  const files = readdirSync(directory)
    .filter((name) => name.endsWith(".lua") && !name.startsWith("_"))
    .sort();
  for (const file of files) {
    const source = withIncludes(directory, readFileSync(join(directory, file), "utf8"));
    const sha = new Bun.CryptoHasher("sha1").update(source).digest("hex");
    scripts.set(basename(file, ".lua"), { name: basename(file, ".lua"), source, sha });
  }
  return scripts;
}

const includeLine = /^-- include: (_[\w-]+\.lua)\s*$/gm;

function withIncludes(directory: string, source: string): string {
  return source.replace(includeLine, (_, fragment: string) => readFileSync(join(directory, fragment), "utf8"));
}

export type ScriptArgument = string | number | Buffer;

export interface LuaScripts {
  names(): string[];
  run<T = unknown>(name: string, keys: string[], args: ScriptArgument[]): Promise<T>;
}

/**
 * Follow-up writes a script's caller sends on the script's connection once its reply is in (global
 * keys a single-slot script cannot write). They must be sent before the returned promise's first
 * await, so the WAIT that follows covers them too.
 */
export type Alongside<T> = (reply: T, connection: Redis) => Promise<unknown>;

/**
 * What a script's typed call runs it with: plain LuaScripts (tests, reads) or DurableScripts (writes
 * acknowledged by the replicas; durable-scripts.ts). `changed` tells from the reply whether the
 * script wrote anything (only then is there something to wait for); `alongside` see Alongside.
 */
export interface ScriptRunner {
  run<T = unknown>(
    name: string,
    keys: string[],
    args: ScriptArgument[],
    changed?: (reply: T) => boolean,
    alongside?: Alongside<T>,
  ): Promise<T>;
}

export function createLuaScripts(redis: Redis, scripts: Map<string, LuaScript>): LuaScripts {
  return {
    names: () => [...scripts.keys()],
    async run<T>(name: string, keys: string[], args: ScriptArgument[]): Promise<T> {
      const script = scripts.get(name);
      if (!script) throw new Error(`No Lua script named ${name}`);
      try {
        return (await redis.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
        await redis.script("LOAD", script.source);
        return (await redis.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
      }
    },
  };
}
