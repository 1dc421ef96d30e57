import { createAuthService } from "@booking-rush/auth/app";
import { createBookingService, createInventoryAdmin } from "@booking-rush/booking/app";
import { createCatalogService } from "@booking-rush/catalog/app";
import type { ConfigOf } from "@booking-rush/lib/config";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { createPaymentService } from "@booking-rush/payment/app";
import { createWebApp } from "@booking-rush/web/app";
import type { allInOneSettings } from "./config";

/**
 * Every HTTP service, built from one configuration, and the web app. Each service plugin carries
 * its own `/api/v1` prefix, so the routes are the same here as in the service's own process; the
 * web app serves its pages and assets beside them (never under /api).
 */
export function allServices(config: ConfigOf<typeof allInOneSettings>, logger: Logger, metrics: Metrics) {
  const auth = createAuthService(config, logger, metrics);
  const booking = createBookingService(config, logger, metrics);
  const catalog = createCatalogService(config, logger, metrics);
  const payment = createPaymentService(config, logger, metrics);
  const inventoryAdmin = createInventoryAdmin(config, booking.access, logger);
  const web = createWebApp(config.web, logger);
  return {
    plugins: [auth.routes, catalog.routes, booking.routes, inventoryAdmin.routes, payment.routes, web.routes],
    /** Readiness waits for the web client's in-memory build. */
    webReady: web.ready,
    notFoundPage: web.notFoundPage,
    /** The first admin from ADMIN_EMAIL/ADMIN_PASSWORD when none exists; readiness waits for it. */
    startAdminBootstrap: auth.startAdminBootstrap,
    close: [
      { name: "auth", run: () => auth.close() },
      { name: "booking", run: () => booking.close() },
      { name: "catalog", run: () => catalog.close() },
      { name: "payment", run: () => payment.close() },
      { name: "inventory admin", run: () => inventoryAdmin.close() },
    ],
  };
}
