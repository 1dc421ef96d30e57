/**
 * drizzle-kit configuration. `bun run db:generate` diffs the schema below against the last snapshot
 * in drizzle/migrations/meta and writes the next SQL migration. Hand-written SQL (triggers,
 * functions, the partitioned audit_logs) goes in a custom migration:
 *   ./scripts/bun x drizzle-kit generate --config drizzle/drizzle.config.ts --custom --name <name>
 *
 * schema/audit.ts is deliberately absent: audit_logs is partitioned, which drizzle-kit cannot
 * express, so it is created by migration 0001 and must stay invisible to the diff.
 * Paths are relative to the working directory: run from the repository root.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./drizzle/schema/enums.ts",
    "./drizzle/schema/identity.ts",
    "./drizzle/schema/catalog.ts",
    "./drizzle/schema/booking.ts",
    "./drizzle/schema/payment.ts",
    "./drizzle/schema/messaging.ts",
  ],
  out: "./drizzle/migrations",
  strict: true,
  verbose: true,
  ...(process.env.DATABASE_URL ? { dbCredentials: { url: process.env.DATABASE_URL } } : {}),
});
