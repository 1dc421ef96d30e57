/** The gateway client against the mock gateway, a real HTTP server on loopback with its knobs. */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { createGatewayClient, type RetryPolicy } from "../src/gateway/gateway-client";
import { startMockGateway } from "../src/gateway/mock-gateway-server";

const gateway = startMockGateway();
afterAll(() => gateway.stop());

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 40, maxDelayMs: 400, attemptTimeoutMs: 150 };
// Jitter pinned to half the ceiling: the waits are known, the code path is the real one.
const client = createGatewayClient(gateway.url, policy, () => 0.5);
const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);
const setKnobs = (knobs: Record<string, unknown>) => fetch(`${gateway.url}/knobs`, { method: "PUT", body: JSON.stringify(knobs) });
const chargesFor = (key: string) => gateway.records.filter((record) => record.kind === "charge" && record.idempotencyKey === key);

beforeEach(async () => {
  await setKnobs({ latency_ms: 0, failure_rate: 0, decline_rate: 0, fail_next: 0, decline_next: 0, timeout: false });
});

describe("gateway client", () => {
  test("a charge succeeds at the first attempt", async () => {
    const key = crypto.randomUUID();
    const outcome = await client.charge({ idempotencyKey: key, amount: 300_000, currency: "THB", method: "card" }, inSeconds(5));
    expect(outcome).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(chargesFor(key)).toHaveLength(1);
  });

  test("a decline is final: not retried", async () => {
    await setKnobs({ decline_next: 1 });
    const key = crypto.randomUUID();
    expect(await client.charge({ idempotencyKey: key, amount: 1, currency: "THB" }, inSeconds(5))).toEqual({
      status: "declined",
      reason: "card_declined",
      attempts: 1,
    });
    expect(chargesFor(key).map((charge) => charge.status)).toEqual(["declined"]);
  });

  test("transient failures are retried with growing back-off until the charge goes through", async () => {
    await setKnobs({ fail_next: 3 });
    const key = crypto.randomUUID();
    const started = performance.now();
    const outcome = await client.charge({ idempotencyKey: key, amount: 1, currency: "THB" }, inSeconds(5));
    expect(outcome).toMatchObject({ status: "succeeded", attempts: 4 });
    // Waits of 20, 40 and 80 ms (half of 40·2^n): at least 140 ms in all.
    expect(performance.now() - started).toBeGreaterThanOrEqual(138);
    expect(chargesFor(key)).toHaveLength(1);
  });

  test("an answer lost to a time-out: the retry finds the charge already made, never a second one", async () => {
    await setKnobs({ latency_ms: 400 });
    const key = crypto.randomUUID();
    // The first attempt gives up after 150 ms while the gateway is still charging; from then on it answers at once.
    const faster = setTimeout(() => void setKnobs({ latency_ms: 0 }), 200);
    const outcome = await client.charge({ idempotencyKey: key, amount: 5, currency: "THB" }, inSeconds(5));
    clearTimeout(faster);
    expect(outcome.status).toBe("succeeded");
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(chargesFor(key)).toHaveLength(1);
    expect(outcome.status === "succeeded" && outcome.reference).toBe(chargesFor(key)[0]!.id);
  });

  test("a gateway that never answers: every attempt times out, the payment fails, nothing is charged", async () => {
    await setKnobs({ timeout: true });
    const key = crypto.randomUUID();
    const outcome = await client.charge({ idempotencyKey: key, amount: 5, currency: "THB" }, inSeconds(10));
    expect(outcome).toEqual({ status: "failed", reason: "gateway_unavailable", attempts: 5 });
    expect(chargesFor(key)).toHaveLength(0);
  });

  test("nothing is tried past the deadline: a hold that expires first fails the payment", async () => {
    await setKnobs({ fail_next: 100 });
    const key = crypto.randomUUID();
    const outcome = await client.charge({ idempotencyKey: key, amount: 5, currency: "THB" }, new Date(Date.now() + 90));
    expect(outcome).toMatchObject({ status: "failed", reason: "deadline" });
    expect(outcome.attempts).toBeLessThan(5);
    expect(chargesFor(key)).toHaveLength(0);
    expect(await client.charge({ idempotencyKey: crypto.randomUUID(), amount: 5, currency: "THB" }, new Date(Date.now() - 1))).toEqual({
      status: "failed",
      reason: "deadline",
      attempts: 0,
    });
  });

  test("refunds: of a real charge once, of an unknown one refused", async () => {
    const key = crypto.randomUUID();
    const charged = await client.charge({ idempotencyKey: key, amount: 100, currency: "THB" }, inSeconds(5));
    if (charged.status !== "succeeded") throw new Error("charge failed");
    const first = await client.refund(
      { idempotencyKey: `refund-${key}`, chargeId: charged.reference, amount: 50, currency: "THB" },
      inSeconds(5),
    );
    const again = await client.refund(
      { idempotencyKey: `refund-${key}`, chargeId: charged.reference, amount: 50, currency: "THB" },
      inSeconds(5),
    );
    expect(first.status).toBe("succeeded");
    expect(again).toEqual(first);
    expect(gateway.records.filter((record) => record.kind === "refund" && record.chargeId === charged.reference)).toHaveLength(1);
    expect(
      await client.refund({ idempotencyKey: crypto.randomUUID(), chargeId: crypto.randomUUID(), amount: 1, currency: "THB" }, inSeconds(5)),
    ).toMatchObject({
      status: "failed",
      reason: "gateway_rejected",
    });
  });

  test("cancel by key: voids a charge that was made, waits for one in progress, and refuses one that comes later", async () => {
    const made = crypto.randomUUID();
    expect((await client.charge({ idempotencyKey: made, amount: 7, currency: "THB" }, inSeconds(5))).status).toBe("succeeded");
    expect((await client.cancelCharge(made, inSeconds(5))).status).toBe("succeeded");
    expect(chargesFor(made).map((charge) => charge.status)).toEqual(["voided"]);

    // In progress: the gateway is slow, the charge's own call has given up; the cancel waits for it and voids it.
    await setKnobs({ latency_ms: 300 });
    const slow = crypto.randomUUID();
    const charging = fetch(`${gateway.url}/charges`, {
      method: "POST",
      body: JSON.stringify({ idempotency_key: slow, amount: 7, currency: "THB" }),
    });
    await eventually(() => expect(gateway.inProgress()).toContain(`charge:${slow}`), { timeoutMs: 2_000, intervalMs: 5 });
    const patient = createGatewayClient(gateway.url, { ...policy, attemptTimeoutMs: 2_000 });
    expect((await patient.cancelCharge(slow, inSeconds(5))).status).toBe("succeeded");
    expect((await charging).status).toBe(201);
    expect(chargesFor(slow).map((charge) => charge.status)).toEqual(["voided"]);

    // Never made: nothing to void, and the key can no longer charge.
    const never = crypto.randomUUID();
    expect((await client.cancelCharge(never, inSeconds(5))).status).toBe("succeeded");
    expect(await client.charge({ idempotencyKey: never, amount: 7, currency: "THB" }, inSeconds(5))).toMatchObject({
      status: "failed",
      reason: "gateway_rejected",
    });
    expect(chargesFor(never)).toHaveLength(0);
  });
});
