/**
 * PostgreSQL through postgres.js with drizzle on top. Typed queries go through `db`; `sql` is there
 * for what drizzle cannot say (advisory locks, partition maintenance).
 *
 * Every connection of this process carries one `application_name` (`booking-rush-<random>`), so
 * `db_connections_active` / `db_connections_open` can be read from `pg_stat_activity`: postgres.js
 * keeps its pool's state to itself, and the server's view is the one that matters when the
 * database runs out of connections.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "../../../../drizzle/schema";
import type { Logger } from "../logger";
import { Gauge, type Metrics } from "../metrics";
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

export const pingPostgres = (postgresClient: Postgres) => async () => {
  await postgresClient.sql`select 1`;
};

/**
 * `db_connections_active` (running a statement or inside a transaction) and `db_connections_open`
 * for every pool of this process, read at scrape time; the scrape's own statement is not counted as
 * active. With no pool open both are 0; with the database unreachable they fall back to 0 as well
 * (the process holds no working connection) and /readyz says why.
 */
export function registerDbConnectionMetrics(metrics: Metrics) {
  const count = async (): Promise<{ active: number; open: number } | undefined> => {
    const [pool] = openPools;
    if (!pool) return { active: 0, open: 0 };
    try {
      const query = pool.sql<{ active: number; open: number }[]>`
        select count(*) filter (where state <> 'idle' and pid <> pg_backend_pid())::int as active, count(*)::int as open
        from pg_stat_activity
        where application_name = ${processApplicationName}`;
      // A scrape must not hang on a database that does not answer.
      const rows = await Promise.race([query, Bun.sleep(2_000).then(() => [])]);
      return rows[0];
    } catch {
      return undefined;
    }
  };
  // A scrape collects both gauges at once: they share the one query in flight, and the next scrape asks again.
  let inFlight: ReturnType<typeof count> | undefined;
  const shared = () =>
    (inFlight ??= count().finally(() => {
      inFlight = undefined;
    }));
  const registers = [metrics.registry];
  new Gauge({
    name: "db_connections_active",
    help: "Connections of this process to PostgreSQL running a statement or inside a transaction",
    registers,
    async collect() {
      const counts = await shared();
      if (counts) this.set(counts.active);
      else this.reset();
    },
  });
  new Gauge({
    name: "db_connections_open",
    help: "Connections of this process to PostgreSQL, busy or idle",
    registers,
    async collect() {
      const counts = await shared();
      if (counts) this.set(counts.open);
      else this.reset();
    },
  });
}
