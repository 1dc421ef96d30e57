/**
 * The benchmark's baseline: Elysia and the same reserve.lua on one Redis connection, and nothing
 * else — no auth, no rate limit (the queue-pass flag is set), no WAIT for a replica, no metrics.
 * The idempotency key is unique per request, so the script's record is written but never replayed.
 */

import { createLuaScripts, createRedis, readLuaScripts } from "@booking-rush/lib/clients";
import { loadConfigOrExit, redisSettings } from "@booking-rush/lib/config";
import { createLogger } from "@booking-rush/lib/observability";
import { Elysia } from "elysia";
import { reserveScript } from "../services/booking/src/booking-scripts";
import { luaDirectory } from "../services/lib/src/clients/lua-scripts";

const config = loadConfigOrExit({ redis: redisSettings }, process.env);
const redis = createRedis(config.redis, createLogger({ service: "baseline", level: "warn" }), "baseline");
const lua = createLuaScripts(redis, readLuaScripts(luaDirectory));
const eventId = process.env.BENCH_EVENT_ID!;

new Elysia()
  .post("/reserve", async ({ body }) => {
    const { user_id: userId, show_id: showId, zone_id: zoneId, quantity } = body as Record<string, string>;
    const bookingId = crypto.randomUUID();
    const reply = await reserveScript(lua, {
      eventId,
      showId: showId!,
      zoneId: zoneId!,
      bookingId,
      userId: userId!,
      idempotencyKey: bookingId,
      requestHash: bookingId,
      quantity: Number(quantity),
      seatIds: [],
      holdMs: 600_000,
      rateBurst: 10,
      ratePerMinute: 20,
      queuePass: true,
      idempotencyTtlSeconds: 600,
    });
    return new Response(reply[1], { status: reply[0] === "ok" ? 201 : 409 });
  })
  .listen({ port: Number(process.env.PORT), hostname: "127.0.0.1" });
console.log("ready");
