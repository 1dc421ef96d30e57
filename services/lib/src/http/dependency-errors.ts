/**
 * Recognises "a dependency is down" among the errors the clients throw, so the request is answered
 * 503 SERVICE_UNAVAILABLE (nothing changed, retry later) rather than 500.
 */
import { postgresErrorOf } from "../data/postgres-errors";

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ConnectionRefused",
  "ConnectionClosed",
]);

export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: string,
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable`, { cause });
    this.name = "DependencyUnavailableError";
  }
}

/**
 * PostgreSQL refusing for want of itself, not for the request: class 08 (connection exception),
 * 53300 too_many_connections, 57P01–57P03 (shut down by an admin, after a crash, not accepting
 * connections yet: a restart or a failover in progress).
 */
const isPostgresUnavailable = (code: string) => code.startsWith("08") || code === "53300" || /^57P0[1-3]$/.test(code);

export function dependencyOf(error: unknown): string | undefined {
  // A wrapper (drizzle's DrizzleQueryError) keeps what the client threw as its cause.
  for (let current = error, depth = 0; depth < 5 && current instanceof Error; depth += 1, current = current.cause) {
    const dependency = dependencyOfOne(current);
    if (dependency) return dependency;
  }
  return undefined;
}

function dependencyOfOne(error: Error): string | undefined {
  if (error instanceof DependencyUnavailableError) return error.dependency;
  const { name, message } = error;
  const code = (error as { code?: unknown }).code;
  // ioredis: offline queue disabled or retries exhausted, command timeouts, failover in progress.
  if (name === "MaxRetriesPerRequestError" || message === "Connection is closed." || message.startsWith("Stream isn't writeable"))
    return "redis";
  // A command in flight when its connection dropped (the master pod deleted mid-request): seen as a
  // 500 on the cluster before it was named here.
  if (name === "AbortError" && message.startsWith("Command aborted due to connection close")) return "redis";
  if (
    message === "Command timed out" ||
    message.startsWith("All sentinels are unreachable") ||
    message.startsWith("READONLY") ||
    message.startsWith("NOREPLICAS")
  )
    return "redis";
  // A MULTI whose writes Redis refused as they were queued (NOREPLICAS, READONLY): ioredis rejects
  // EXEC with EXECABORT and hands the refusals over in previousErrors.
  const previousErrors = (error as { previousErrors?: unknown }).previousErrors;
  if (message.startsWith("EXECABORT") && Array.isArray(previousErrors)) {
    return previousErrors.map(dependencyOf).find((dependency) => dependency !== undefined);
  }
  // postgres.js connection failures carry these codes.
  if (code === "CONNECTION_CLOSED" || code === "CONNECTION_ENDED" || code === "CONNECTION_DESTROYED" || code === "CONNECT_TIMEOUT")
    return "postgres";
  const postgresCode = postgresErrorOf(error)?.code;
  if (postgresCode !== undefined && isPostgresUnavailable(postgresCode)) return "postgres";
  if (name === "KafkaJSConnectionError" || name === "KafkaJSNumberOfRetriesExceeded") return "kafka";
  // Whatever else kafkajs itself calls transient (no leader for a partition yet, a request timeout,
  // a topic whose metadata is still arriving on a fresh broker): the broker, not the request.
  if (name.startsWith("KafkaJS") && (error as { retriable?: unknown }).retriable === true) return "kafka";
  if (typeof code === "string" && networkCodes.has(code)) return "network";
  return undefined;
}
