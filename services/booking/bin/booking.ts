/** The booking HTTP service, with the admin inventory endpoints. */
import { pingRedis } from "@booking-rush/lib/clients";
import {
  authSettings,
  kafkaSettings,
  postgresSettings,
  redisSettings,
  redlockSettings,
  serviceSettings,
  telemetrySettings,
} from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { reconcilerSettings } from "@booking-rush/reconciler";
import { createBookingService, createInventoryAdmin } from "../src/app";
import { bookingSettings, queueSettings, salesSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "booking", port: 3003 }),
  redis: redisSettings,
  redlock: redlockSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  auth: authSettings,
  booking: bookingSettings,
  queue: queueSettings,
  sales: salesSettings,
  reconciler: reconcilerSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const booking = createBookingService(config, logger, metrics);
  const inventoryAdmin = createInventoryAdmin(config, booking.access, logger);
  return {
    plugins: [booking.routes, inventoryAdmin.routes],
    // Reservations need Redis only; the admin endpoints answer 503 by themselves when PostgreSQL is down.
    checks: { redis: pingRedis(booking.store.redis) },
    clients: [
      { name: "redis", run: () => booking.close() },
      { name: "inventory admin", run: () => inventoryAdmin.close() },
    ],
  };
});
