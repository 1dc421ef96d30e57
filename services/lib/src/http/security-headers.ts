import { Elysia } from "elysia";

export const securityHeaders: Record<string, string> = {
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'",
  "referrer-policy": "no-referrer",
};

/** The security headers of shared/design/API.md on every response, errors included. */
export const securityHeadersPlugin = () =>
  new Elysia({ name: "kernel.security-headers" }).onRequest(({ set }) => {
    Object.assign(set.headers, securityHeaders);
  });
