import { type AnyElysia, Elysia } from "elysia";

/**
 * Every HTTP service's plugin, mounted under one prefix-free root. Each service plugin carries its
 * own `/api/v1` prefix, so the routes are the same here as in the service's own process.
 */
export const allServices = (): AnyElysia[] => [
  // Services land here as they are built (auth, catalog, booking, payment).
  new Elysia({ name: "all.services" }),
];
