/** PostgreSQL access every service shares: tenant scope, audit log, error mapping. */
export * from "../data/audit";
export * from "../data/postgres-errors";
export * from "../data/tenant-scope";
