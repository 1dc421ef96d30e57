/** The booking HTTP service. */
import { authSettings, pingRedis, redisSettings, runProcess, serviceSettings, telemetrySettings } from "@booking-rush/lib";
import { createBookingService } from "./src/app";
import { bookingSettings } from "./src/settings";

const groups = {
  service: serviceSettings({ name: "booking", port: 3003 }),
  redis: redisSettings,
  auth: authSettings,
  booking: bookingSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const booking = createBookingService(config, logger, metrics);
  return {
    plugins: [booking.routes],
    checks: { redis: pingRedis(booking.store.redis) },
    clients: [{ name: "redis", run: () => booking.close() }],
  };
});
