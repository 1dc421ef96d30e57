/**
 * Publishes a demo event into the running stack's Redis (until the catalog service exists, this is
 * how a sale gets inventory) and prints ids and a ready access token for trying the booking API.
 *   bun run scripts/seed-demo-event.ts
 */
import { authSettings, closeRedis, createLogger, createRedis, loadConfigOrExit, redisSettings, signAccessToken } from "../services/lib/src/index";
import { loadEventInventory } from "../services/lib/src/inventory/load";

const config = loadConfigOrExit({ redis: redisSettings, auth: authSettings }, process.env);
const logger = createLogger({ service: "seed", level: "warn" });
const redis = createRedis(config.redis, logger, "seed");

const rows = ["A", "B", "C"];
const seats = rows.flatMap((row) => Array.from({ length: 10 }, (_, index) => ({ id: crypto.randomUUID(), label: `${row}${index + 1}` })));
const event = {
  id: crypto.randomUUID(),
  tenantId: crypto.randomUUID(),
  opensAt: new Date(Date.now() - 60_000),
  closesAt: new Date(Date.now() + 7 * 24 * 3_600_000),
  maxTicketsPerUser: 4,
  shows: [{
    id: crypto.randomUUID(),
    zones: [
      { id: crypto.randomUUID(), kind: "general" as const, total: 1_000, price: 150_000 },
      { id: crypto.randomUUID(), kind: "assigned" as const, total: seats.length, price: 450_000, seatIds: seats.map((seat) => seat.id) },
    ],
  }],
};
await loadEventInventory(redis, event);
await closeRedis(redis);

const userId = crypto.randomUUID();
const token = await signAccessToken({ id: userId, email: "demo@example.com", role: "user", tenant_id: null }, {
  secret: config.auth.jwtSecret,
  ttlSeconds: config.auth.accessTokenTtlSeconds,
});
const [show] = event.shows;
console.log(JSON.stringify({
  event_id: event.id,
  show_id: show!.id,
  general_admission_zone_id: show!.zones[0]!.id,
  assigned_zone_id: show!.zones[1]!.id,
  seats: Object.fromEntries(seats.slice(0, 5).map((seat) => [seat.label, seat.id])),
  user_id: userId,
  access_token: token,
}, null, 2));
