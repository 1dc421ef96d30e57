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
