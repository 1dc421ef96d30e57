import type { ConfigOf, Logger, Metrics } from "@booking-rush/lib";
import { createBookingService } from "../../booking/src/app";
import { createCatalogService } from "../../catalog/src/app";
import type { allInOneSettings } from "./config";

/**
 * Every HTTP service, built from one configuration. Each service plugin carries its own `/api/v1`
 * prefix, so the routes are the same here as in the service's own process.
 */
export function allServices(config: ConfigOf<typeof allInOneSettings>, logger: Logger, metrics: Metrics) {
  const booking = createBookingService(config, logger, metrics);
  const catalog = createCatalogService(config, logger, metrics);
  return {
    plugins: [catalog.routes, booking.routes],
    close: [
      { name: "booking", run: () => booking.close() },
      { name: "catalog", run: () => catalog.close() },
    ],
  };
}
