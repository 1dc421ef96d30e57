import { describe, expect, test } from "bun:test";
import { dependencyOf } from "../src/http/dependency-errors";

/** What ioredis rejects a MULTI's EXEC with when Redis refused commands as they were queued. */
function execAbort(...refusals: string[]) {
  return Object.assign(new Error("EXECABORT Transaction discarded because of previous errors."), {
    name: "ReplyError",
    previousErrors: refusals.map((message) => Object.assign(new Error(message), { name: "ReplyError" })),
  });
}

describe("dependencyOf: a MULTI Redis refused", () => {
  test("refused for want of replicas or on a replica: Redis is unavailable (503), not a bug", () => {
    expect(dependencyOf(execAbort("NOREPLICAS Not enough good replicas to write.", "NOREPLICAS Not enough good replicas to write."))).toBe(
      "redis",
    );
    expect(dependencyOf(execAbort("READONLY You can't write against a read only replica."))).toBe("redis");
  });

  test("refused for a command's own fault: not a dependency (a 500 that shows the bug)", () => {
    expect(dependencyOf(execAbort("ERR wrong number of arguments for 'set' command"))).toBeUndefined();
    expect(dependencyOf(new Error("EXECABORT Transaction discarded because of previous errors."))).toBeUndefined();
  });
});

/** What postgres.js throws for an error PostgreSQL sent: its SQLSTATE as `code`. */
const postgresError = (code: string, message: string) => Object.assign(new Error(message), { name: "PostgresError", code });
/** Drizzle's wrapper around a failed query, the client's error as its cause. */
const failedQuery = (cause: Error) => Object.assign(new Error("Failed query: select 1\nparams: "), { name: "DrizzleQueryError", cause });

describe("dependencyOf: PostgreSQL refusing for want of itself", () => {
  test("shut down, restarting, out of connections, the connection lost: PostgreSQL is unavailable (503)", () => {
    for (const [code, message] of [
      ["57P01", "terminating connection due to administrator command"],
      ["57P02", "terminating connection due to crash of another server process"],
      ["57P03", "the database system is starting up"],
      ["53300", "sorry, too many clients already"],
      ["08006", "connection failure"],
    ] as const) {
      expect(dependencyOf(postgresError(code, message))).toBe("postgres");
      expect(dependencyOf(failedQuery(postgresError(code, message)))).toBe("postgres");
    }
    const closed = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
    expect(dependencyOf(failedQuery(closed))).toBe("postgres");
  });

  test("refusing the request itself (a constraint, bad SQL, a value out of range): not a dependency", () => {
    for (const code of ["23505", "42601", "22003", "40001"]) {
      expect(dependencyOf(postgresError(code, "refused"))).toBeUndefined();
      expect(dependencyOf(failedQuery(postgresError(code, "refused")))).toBeUndefined();
    }
  });
});
