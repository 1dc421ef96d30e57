/**
 * The benchmark's baseline: Elysia and the same reserve.lua on one Redis connection, and nothing
 * else — no auth, no WAIT for a replica, no metrics; the script's per-buyer rate limit runs (since
 * the waiting room only a live queue pass skips it) with a bucket too large to ever refuse.
 * It answers the full path's request (POST /api/v1/bookings/reserve, the same body, sent by the
 * same wrk script) and takes the buyer from the x-bench-user header instead of the token. The
 * Idempotency-Key is unique per request, so the script's record is written but never replayed.
 * Env: PORT, BENCH_EVENT_ID (a sale loaded into Redis), the Redis settings.
 */

import { reserveScript } from "@booking-rush/booking/booking-scripts";
import { createLuaScripts, createRedis, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { loadConfigOrExit, redisSettings } from "@booking-rush/lib/config";
import { type ErrorCode, errorStatus } from "@booking-rush/lib/errors";
import { createLogger } from "@booking-rush/lib/observability";
import { Elysia } from "elysia";

const config = loadConfigOrExit({ redis: redisSettings }, process.env);
const redis = createRedis(config.redis, createLogger({ service: "baseline", level: "warn" }), "baseline");
const lua = createLuaScripts(redis, readLuaScripts(luaDirectory));
const eventId = process.env.BENCH_EVENT_ID!;

new Elysia()
  .get("/readyz", () => "ready")
  .post("/api/v1/bookings/reserve", async ({ body, headers }) => {
    const { show_id: showId, zone_id: zoneId, quantity } = body as Record<string, string>;
    const bookingId = crypto.randomUUID();
    const reply = await reserveScript(lua, {
      eventId,
      showId: showId!,
      zoneId: zoneId!,
      bookingId,
      userId: headers["x-bench-user"]!,
      idempotencyKey: headers["idempotency-key"] ?? bookingId,
      requestHash: bookingId,
      quantity: Number(quantity),
      seatIds: [],
      holdMs: 600_000,
      rateBurst: 1_000_000_000,
      ratePerMinute: 1_000_000_000,
      queuePassId: "",
      idempotencyTtlSeconds: 600,
    });
    if (reply[0] === "error") {
      const code = reply[1];
      return Response.json({ success: false, error: { code } }, { status: errorStatus[code as ErrorCode] ?? 500 });
    }
    return new Response(reply[1], { status: 201, headers: { "content-type": "application/json" } });
  })
  .listen({ port: Number(process.env.PORT), hostname: "127.0.0.1" });
