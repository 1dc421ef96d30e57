/**
 * TypeBox checks a `format` only once it is registered (Elysia registers its own when loaded, a
 * worker does not load Elysia), so the event schemas register the ones they use themselves.
 */
import { FormatRegistry } from "@sinclair/typebox";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerEventFormats() {
  if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (value) => uuidPattern.test(value));
}

/** The first schema error of a value, as "path message", for dead-letter reasons. */
export function firstSchemaError(errors: Iterable<{ path: string; message: string }>): string {
  for (const error of errors) return `${error.path || "/"} ${error.message}`;
  return "wrong shape";
}
