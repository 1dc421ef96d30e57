/** Queue passes without any store: what verification accepts and refuses, and the polling hint. */
import { describe, expect, test } from "bun:test";
import { createQueuePasses, refuseEveryPass } from "../src/queue-pass";
import { pollAfterSeconds } from "../src/waiting-room";

const passes = createQueuePasses("unit-test-queue-pass-secret-0123456789");
const claims = { userId: "user-1", eventId: "event-1", passId: "42", expiresAtMs: Date.now() + 60_000 };
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("queue passes", () => {
  test("a pass verifies for its buyer and event only, and signs the same every time", async () => {
    const token = await passes.sign(claims);
    expect(await passes.sign(claims)).toBe(token);
    expect(await passes.verifiedPassId(token, "user-1", "event-1")).toBe("42");
    expect(await passes.verifiedPassId(token, "user-2", "event-1")).toBe("");
    expect(await passes.verifiedPassId(token, "user-1", "event-2")).toBe("");
  });

  test("refused: another key's signature, an expired pass, a tampered payload, alg none, garbage", async () => {
    const forged = await createQueuePasses("another-secret-entirely-0123456789abcd").sign(claims);
    expect(await passes.verifiedPassId(forged, "user-1", "event-1")).toBe("");
    const expired = await passes.sign({ ...claims, expiresAtMs: Date.now() - 2_000 });
    expect(await passes.verifiedPassId(expired, "user-1", "event-1")).toBe("");
    const [header, , signature] = (await passes.sign(claims)).split(".");
    const tampered = `${header}.${base64url({ sub: "user-1", evt: "event-1", jti: "43", exp: Math.floor(claims.expiresAtMs / 1000) })}.${signature}`;
    expect(await passes.verifiedPassId(tampered, "user-1", "event-1")).toBe("");
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "user-1", evt: "event-1", jti: "42", exp: 9_999_999_999 })}.`;
    expect(await passes.verifiedPassId(unsigned, "user-1", "event-1")).toBe("");
    expect(await passes.verifiedPassId("garbage", "user-1", "event-1")).toBe("");
  });

  test("a process without the secret accepts no pass and signs none", async () => {
    expect(await refuseEveryPass.verifiedPassId(await passes.sign(claims), "user-1", "event-1")).toBe("");
    await expect(refuseEveryPass.sign(claims)).rejects.toThrow();
  });
});

describe("the polling hint", () => {
  test("a tenth of the wait, 1 to 30 s; 30 s when nothing will change soon", () => {
    expect(pollAfterSeconds({ status: "waiting", eta_seconds: 4 })).toBe(1);
    expect(pollAfterSeconds({ status: "waiting", eta_seconds: 120 })).toBe(12);
    expect(pollAfterSeconds({ status: "waiting", eta_seconds: 3_600 })).toBe(30);
    expect(pollAfterSeconds({ status: "waiting" })).toBe(30);
    expect(pollAfterSeconds({ status: "sold_out", position: 3 })).toBe(30);
    expect(pollAfterSeconds({ status: "admitted", eta_seconds: 0 })).toBe(30);
  });
});
