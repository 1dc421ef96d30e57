/** The HTTP kernel: Elysia app, error handler, guards, health, rate limit, request ids, schemas. */
export * from "../http/auth-guard";
export * from "../http/client-address";
export * from "../http/dependency-errors";
export * from "../http/error-handler";
export * from "../http/health";
export * from "../http/json-body";
export * from "../http/rate-limit";
export * from "../http/request-id";
export * from "../http/security-headers";
export * from "../http/serve";
export * from "../http/server";
export * from "../schemas";
