import { afterAll, describe, expect, test } from "bun:test";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createLuaScripts, readLuaScripts } from "../src/clients/lua-scripts";
import { closeRedis, createRedis } from "../src/clients/redis";

const redis = createRedis(stackConfig.redis, testLogger, "lua-test");
const scripts = readLuaScripts(`${import.meta.dir}/fixtures/lua`);
const lua = createLuaScripts(redis, scripts);
const counterKey = `{test:${crypto.randomUUID()}}:counter`;

afterAll(async () => {
  await redis.del(counterKey);
  await closeRedis(redis);
});

describe("Lua script loader (real Redis through Sentinel)", () => {
  test("reads every .lua file and computes the SHA Redis will use", async () => {
    const script = scripts.get("bounded-increment");
    expect(script).toBeDefined();
    expect(await redis.script("LOAD", script!.source)).toBe(script!.sha);
  });

  test("runs a script by name with keys and arguments", async () => {
    expect(await lua.run<number>("bounded-increment", [counterKey], [2])).toBe(1);
    expect(await lua.run<number>("bounded-increment", [counterKey], [2])).toBe(2);
    expect(await lua.run<number>("bounded-increment", [counterKey], [2])).toBe(-1);
    expect(await redis.get(counterKey)).toBe("2");
  });

  test("after SCRIPT FLUSH (restart, failover) NOSCRIPT reloads the script and the call still succeeds", async () => {
    await redis.script("FLUSH");
    const sha = scripts.get("bounded-increment")!.sha;
    expect(await redis.script("EXISTS", sha)).toEqual([0]);
    expect(await lua.run<number>("bounded-increment", [counterKey], [10])).toBe(3);
    expect(await redis.script("EXISTS", sha)).toEqual([1]);
  });

  test("an unknown script name is an error, not a silent no-op", async () => {
    await expect(lua.run("no-such-script", [], [])).rejects.toThrow("No Lua script named no-such-script");
  });
});
