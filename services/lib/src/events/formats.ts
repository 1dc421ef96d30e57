/**
 * TypeBox checks a `format` only once it is registered (Elysia registers its own when loaded, a
 * worker does not load Elysia), so the event schemas register the ones they use themselves.
 */
import { FormatRegistry, type Static, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerEventFormats() {
  if (!FormatRegistry.Has("uuid")) FormatRegistry.Set("uuid", (value) => uuidPattern.test(value));
}

/** The first schema error of a value, as "path message", for dead-letter reasons. */
export function firstSchemaError(errors: Iterable<{ path: string; message: string }>): string {
  for (const error of errors) return `${error.path || "/"} ${error.message}`;
  return "wrong shape";
}

/** A message's JSON body checked against its schema, or why it can never be handled (`what`: "a booking event"). */
export function checkedMessage<S extends TSchema>(
  schema: S,
  value: Buffer | string | null,
  what: string,
): { body: Static<S> } | { reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(String(value));
  } catch {
    return { reason: "not JSON" };
  }
  if (!Value.Check(schema, body)) return { reason: `not ${what}: ${firstSchemaError(Value.Errors(schema, body))}` };
  return { body };
}
