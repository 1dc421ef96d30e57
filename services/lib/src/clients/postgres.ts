/**
 * PostgreSQL through postgres.js with drizzle on top. Typed queries go through `db`; `sql` is there
 * for what drizzle cannot say (advisory locks, partition maintenance).
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../../../../drizzle/schema";
import type { Logger } from "../logger";
import type { PostgresConfig } from "../settings";

export function createPostgres(config: PostgresConfig, logger: Logger) {
  const sql = postgres(config.url, {
    max: config.poolMax,
    connect_timeout: 5,
    idle_timeout: 30,
    onnotice: (notice) => logger.debug("postgres notice", { message: notice.message }),
  });
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

export type Postgres = ReturnType<typeof createPostgres>;
export type Database = Postgres["db"];

export const pingPostgres = (postgresClient: Postgres) => async () => {
  await postgresClient.sql`select 1`;
};
