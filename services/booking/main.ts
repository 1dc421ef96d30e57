/** The booking HTTP service. */
import {
  authSettings, createHttpApp, createLogger, createMetrics, loadConfigOrExit, pingRedis, redisSettings, secretValues,
  serveHttp, serviceSettings, startTelemetry, telemetrySettings,
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
const config = loadConfigOrExit(groups, process.env);
const logger = createLogger({ service: config.service.name, level: config.service.logLevel, secrets: secretValues(groups, process.env) });
const telemetry = startTelemetry(config.telemetry, config.service.name);
const metrics = createMetrics(config.service.name);
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
