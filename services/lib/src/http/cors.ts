import { Elysia } from "elysia";

/** Every method the API serves; the same answer to every preflight, whatever it asks for. */
export const corsAllowedMethods = "GET, POST, PUT, DELETE";
export const corsAllowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-ID, X-Queue-Pass, traceparent";
const exposedHeaders = "X-Request-ID, Retry-After";

/**
 * CORS from the allow-list of the configuration (CORS_ORIGINS). An allowed Origin is answered with
 * itself; any other (including `null`, sent by sandboxed frames and file: pages) gets no grant at all.
 * `*` in the configuration answers a literal `*`: never the caller's Origin, and never credentials
 * (the API uses bearer tokens, no cookies). `Vary: Origin` on every response, since the grant depends
 * on it; never `Vary: *`, which makes every response uncacheable. A preflight (OPTIONS) is answered
 * here, 204, with fixed methods and headers.
 */
export const corsPlugin = (origins: "*" | string[]) => {
  const allowed = new Set(origins === "*" ? [] : origins.map((origin) => origin.toLowerCase()));
  const grant = (origin: string | null) => {
    if (origins === "*") return "*";
    return origin !== null && allowed.has(origin.toLowerCase()) ? origin : undefined;
  };
  return new Elysia({ name: "kernel.cors" }).onRequest(({ request, set }) => {
    set.headers.vary = "Origin";
    const allowOrigin = grant(request.headers.get("origin"));
    if (allowOrigin !== undefined) {
      set.headers["access-control-allow-origin"] = allowOrigin;
      set.headers["access-control-expose-headers"] = exposedHeaders;
    }
    if (request.method !== "OPTIONS") return;
    if (allowOrigin !== undefined && request.headers.has("access-control-request-method")) {
      set.headers["access-control-allow-methods"] = corsAllowedMethods;
      set.headers["access-control-allow-headers"] = corsAllowedHeaders;
      set.headers["access-control-max-age"] = "600";
    }
    set.status = 204;
    return "";
  });
};
