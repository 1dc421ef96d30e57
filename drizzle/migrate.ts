/**
 * Applies drizzle/migrations to a database. Used by `bun run db:migrate`, the Helm migration Job,
 * and tests (services/test-support/src/fresh-database.ts).
 *
 *   DATABASE_URL=postgres://user:pass@host:5432/db bun run drizzle/migrate.ts
 *
 * drizzle's migrator applies every pending migration in one transaction and records it in
 * drizzle.__drizzle_migrations, so a second run is a no-op. It takes no lock of its own: two
 * migrators started together (two replicas' init containers) would both see the same pending
 * migrations. A session advisory lock around the run serialises them; the second then finds
 * nothing left to do.
 */
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** An arbitrary constant: the advisory-lock key every migrator of this schema agrees on. */
const MIGRATION_LOCK_KEY = 7_345_120_931;

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  // one connection, so the session-level advisory lock and the migration share it
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The URL without its password, for log lines. */
function describe(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

if (import.meta.main) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("db:migrate: DATABASE_URL is not set (e.g. postgres://booking_rush:booking_rush@127.0.0.1:5433/booking_rush)");
    process.exit(1);
  }
  try {
    await migrateDatabase(databaseUrl);
    console.log(`db:migrate: ${describe(databaseUrl)} is up to date (migrations from ${migrationsFolder})`);
  } catch (error) {
    console.error(`db:migrate: migrating ${describe(databaseUrl)} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
