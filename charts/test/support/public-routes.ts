/**
 * Every public route of the API services, read from the code itself: each service's route plugins
 * (the ones its app.ts mounts under /api/v1) are built with stub stores and asked for their routes.
 * Nothing is called: a store or access control is only used when a request arrives.
 */
import { authRoutes } from "@booking-rush/auth/routes";
import { inventoryAdminRoutes } from "@booking-rush/booking/admin-routes";
import { queueRoutes } from "@booking-rush/booking/queue-routes";
import { bookingRoutes } from "@booking-rush/booking/routes";
import { salesRoutes } from "@booking-rush/booking/sales-routes";
import { brandingRoutes } from "@booking-rush/catalog/branding-routes";
import { queueAdminRoutes } from "@booking-rush/catalog/queue-admin-routes";
import { catalogRoutes } from "@booking-rush/catalog/routes";
import { paymentRoutes } from "@booking-rush/payment/routes";

/** Stands in for a store, access control or limiter: only a request would use it. */
const unused = {} as never;

export type PublicRoute = { service: "auth" | "catalog" | "booking" | "payment"; method: string; path: string };

export function publicRoutes(): PublicRoute[] {
  const plugins = [
    { service: "auth", plugin: authRoutes({ config: {} } as never, { access: unused, trustProxy: false }) },
    { service: "catalog", plugin: catalogRoutes(unused, { access: unused, limiter: unused, rateLimit: unused, trustProxy: false }) },
    { service: "catalog", plugin: queueAdminRoutes(unused, { access: unused, limiter: unused, rateLimit: unused, trustProxy: false }) },
    { service: "catalog", plugin: brandingRoutes(unused, { access: unused, limiter: unused, rateLimit: unused, trustProxy: false }) },
    { service: "booking", plugin: bookingRoutes(unused, unused) },
    { service: "booking", plugin: queueRoutes(unused, unused, unused) },
    { service: "booking", plugin: inventoryAdminRoutes(unused, unused) },
    { service: "booking", plugin: salesRoutes(unused, unused, unused) },
    { service: "payment", plugin: paymentRoutes(unused, unused) },
  ] as const;
  return plugins.flatMap(({ service, plugin }) => plugin.routes.map((route) => ({ service, method: route.method, path: route.path })));
}

/**
 * The backend an Ingress rule's paths send a request path to, as the Ingress API defines `Prefix`:
 * matched element by element on "/", the longest matching path wins; undefined when none matches.
 */
export function ingressBackend(paths: { path: string; pathType: string; backend: { service: { name: string } } }[], path: string) {
  const elements = (value: string) => value.split("/").filter(Boolean);
  const requested = elements(path);
  const matching = paths.filter((candidate) => {
    const prefix = elements(candidate.path);
    if (candidate.pathType === "Exact") return candidate.path === path;
    return prefix.length <= requested.length && prefix.every((element, index) => requested[index] === element);
  });
  matching.sort((a, b) => elements(b.path).length - elements(a.path).length);
  return matching[0]?.backend.service.name;
}
