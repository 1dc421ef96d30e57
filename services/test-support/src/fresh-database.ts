/**
 * A throwaway, fully migrated PostgreSQL database per test file.
 *
 * Uses DATABASE_URL (the local stack's app role, which has CREATEDB) only as the place to issue
 * CREATE/DROP DATABASE; tests never touch that database's contents. The new database is created
 * from template0 (guaranteed empty), migrated with the production migrator, and dropped by `drop()`:
 *
 *   let db: FreshDatabase;
 *   beforeAll(async () => { db = await createFreshDatabase("booking"); });
 *   afterAll(() => db?.drop());
 */

import { migrateDatabase } from "@booking-rush/db/migrate";
import postgres from "postgres";

export interface FreshDatabase {
  /** Database name, e.g. br_test_schema_m3x1k2_9f3a1c. */
  name: string;
  /** DATABASE_URL with the database name replaced. */
  url: string;
  /** Terminates every connection to the database, then drops it. Safe to call twice. */
  drop: () => Promise<void>;
}

export function adminDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set: tests need a PostgreSQL role with CREATEDB (start the local stack with scripts/stack, " +
        "or e.g. DATABASE_URL=postgres://booking_rush:booking_rush@127.0.0.1:5433/booking_rush)",
    );
  }
  return url;
}

export interface FreshDatabaseOptions {
  /** Run the migrations (default true); false leaves the database empty. */
  migrate?: boolean;
}

export async function createFreshDatabase(label = "test", options: FreshDatabaseOptions = {}): Promise<FreshDatabase> {
  const adminUrl = adminDatabaseUrl();
  const suffix = `${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const name = `br_test_${label.toLowerCase().replace(/[^a-z0-9]+/g, "_")}_${suffix}`.slice(0, 63);
  const url = withDatabase(adminUrl, name);

  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template template0 encoding 'UTF8'`);
  } finally {
    await admin.end({ timeout: 5 });
  }

  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    const client = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      // Only our own sessions can be ended by this role. An autovacuum worker on the new database
      // runs as a superuser: WITH (FORCE) would refuse to end it (42501), whereas a plain DROP asks
      // autovacuum to leave and waits for it; a session that is still going away (55006) is
      // waited out, within a bound.
      await client`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid() and usename = current_user`;
      for (let attempt = 1; ; attempt += 1) {
        try {
          await client.unsafe(`drop database if exists "${name}"`);
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
          await Bun.sleep(100);
        }
      }
    } finally {
      await client.end({ timeout: 5 });
    }
  };

  if (options.migrate === false) return { name, url, drop };
  try {
    await migrateDatabase(url);
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url, drop };
}

function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
