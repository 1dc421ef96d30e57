/** PostgreSQL access every service shares: tenant scope, audit log, booking rows, error mapping. */
export * from "../data/audit";
export * from "../data/booking-rows";
export * from "../data/postgres-errors";
export * from "../data/tenant-scope";
