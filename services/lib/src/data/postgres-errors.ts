/**
 * PostgreSQL's own error (postgres.js `PostgresError`) behind whatever wrapped it (drizzle's
 * DrizzleQueryError keeps it as `cause`). It carries the SQLSTATE (`code`, five characters) and
 * where it failed, e.g. `constraint_name` for 23503 foreign_key_violation.
 */
export interface PostgresErrorFields {
  name: string;
  code: string;
  constraint_name?: string;
  table_name?: string;
  column_name?: string;
  routine?: string;
}

export function postgresErrorOf(error: unknown): PostgresErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (current.name === "PostgresError" && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return current as unknown as PostgresErrorFields;
    current = current.cause;
  }
  return undefined;
}
