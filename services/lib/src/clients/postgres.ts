/**
 * PostgreSQL through postgres.js with drizzle on top. Typed queries go through `db`; `sql` is there
 * for what drizzle cannot say (advisory locks, partition maintenance).
 *
 * Every connection of this process carries one `application_name` (`booking-rush-<random>`), so
 * `db_connections_active` / `db_connections_open` can be read from `pg_stat_activity`: postgres.js
 * keeps its pool's state to itself, and the server's view is the one that matters when the
 * database runs out of connections.
 */

import journal from "@booking-rush/db/migrations/journal";
import * as schema from "@booking-rush/db/schema";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Logger } from "../logger";
import { Gauge, type Metrics, type SamplingOptions, sampleInBackground } from "../metrics";
import type { PostgresConfig } from "../settings";

/** Random rather than pid + hostname: in a container every process may be pid 1, and host names outgrow the 63-byte limit. */
export const processApplicationName = `booking-rush-${crypto.randomUUID().slice(0, 13)}`;

const openPools = new Set<{ sql: postgres.Sql }>();

export function createPostgres(config: PostgresConfig, logger: Logger) {
  const sql = postgres(config.url, {
    max: config.poolMax,
    connect_timeout: 5,
    idle_timeout: 30,
    connection: { application_name: processApplicationName },
    onnotice: (notice) => logger.debug("postgres notice", { message: notice.message }),
  });
  const db = drizzle(sql, { schema });
  const client = {
    sql,
    db,
    close: async () => {
      openPools.delete(client);
      await sql.end({ timeout: 5 });
    },
  };
  openPools.add(client);
  return client;
}

export type Postgres = ReturnType<typeof createPostgres>;
export type Database = Postgres["db"];

/**
 * Migrations this code was built with (drizzle/migrations/meta/_journal.json, shipped in the image): a process
 * is of use only once the database has at least these. On a fresh install the migrations Job runs
 * beside the services; until it is done they are not ready, instead of failing requests.
 */
export const expectedMigrations = journal.entries.length;

export async function appliedMigrations(postgresClient: Postgres): Promise<number> {
  const [row] = await postgresClient.sql<{ applied: number }[]>`
    select case when to_regclass('drizzle.__drizzle_migrations') is null then 0
                else (select count(*)::int from drizzle.__drizzle_migrations) end as applied`;
  return row?.applied ?? 0;
}

/**
 * The readiness check of a process that uses PostgreSQL: reachable, and its schema is at least
 * the code's. The schema is checked until it first is current (it never goes back), then only
 * `select 1`.
 */
export const pingPostgres = (postgresClient: Postgres) => {
  let schemaCurrent = false;
  return async () => {
    if (schemaCurrent) {
      await postgresClient.sql`select 1`;
      return;
    }
    const applied = await appliedMigrations(postgresClient);
    if (applied < expectedMigrations)
      throw new Error(`the database schema is behind this release: ${applied} of ${expectedMigrations} migrations applied`);
    schemaCurrent = true;
  };
};

/**
 * Resolves once the schema is at least the code's (see pingPostgres): for start-up work that needs
 * the tables, which on a fresh install appear only when the migrations Job has run. Polls every
 * `intervalMs`, logging once while it waits; a database that does not answer is waited for too.
 */
export async function schemaReady(postgresClient: Postgres, logger: Logger, { intervalMs = 2_000 } = {}): Promise<void> {
  const check = pingPostgres(postgresClient);
  let logged = false;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (!logged) logger.warn("waiting for the database schema", { error: error instanceof Error ? error.message : String(error) });
      logged = true;
    }
    await Bun.sleep(intervalMs);
  }
}

/**
 * `db_connections_active` (running a statement or inside a transaction) and `db_connections_open`
 * for every pool of this process, read from the server in the background (source `db_connections`
 * in metrics_sample_age_seconds), never at scrape time; the sample's own statement is not counted
 * as active. With no pool open both are 0; with the database unreachable they keep their last
 * values, their age grows, and /readyz says why.
 */
export function registerDbConnectionMetrics(metrics: Metrics, sampling?: SamplingOptions) {
  const registers = [metrics.registry];
  const active = new Gauge({
    name: "db_connections_active",
    help: "Connections of this process to PostgreSQL running a statement or inside a transaction",
    registers,
  });
  const open = new Gauge({ name: "db_connections_open", help: "Connections of this process to PostgreSQL, busy or idle", registers });
  return sampleInBackground(
    metrics,
    "db_connections",
    async () => {
      const [pool] = openPools;
      const [counts] = pool
        ? await pool.sql<{ active: number; open: number }[]>`
            select count(*) filter (where state <> 'idle' and pid <> pg_backend_pid())::int as active, count(*)::int as open
            from pg_stat_activity
            where application_name = ${processApplicationName}`
        : [{ active: 0, open: 0 }];
      active.set(counts?.active ?? 0);
      open.set(counts?.open ?? 0);
    },
    sampling,
  );
}
