/** The booking HTTP service. */
import {
  authSettings, createHttpApp, pingRedis, redisSettings, serveHttp, serviceSettings, startProcess, telemetrySettings,
} from "@booking-rush/lib";
import { createBookingService } from "./src/app";
import { bookingSettings } from "./src/settings";

const groups = {
  service: serviceSettings({ name: "booking", port: 3003 }),
  redis: redisSettings,
  auth: authSettings,
  booking: bookingSettings,
  telemetry: telemetrySettings,
};
const { config, logger, telemetry, metrics } = startProcess(groups);
const booking = createBookingService(config, logger, metrics);
const readiness = { draining: false, checks: { redis: pingRedis(booking.store.redis) } };
const app = createHttpApp({ service: config.service, logger, metrics, readiness, tracing: telemetry.enabled }, [booking.routes]);

serveHttp({
  app,
  service: config.service,
  logger,
  readiness,
  clients: [
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "redis", run: () => booking.close() },
  ],
});
