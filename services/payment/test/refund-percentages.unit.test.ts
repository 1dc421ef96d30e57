/** API.md's refund rules at their edges. */
import { describe, expect, test } from "bun:test";
import { customerRefundRule, refundAmount } from "../src/refund-rules";

const at = new Date("2026-11-24T12:00:00Z");
const hours = (count: number) => new Date(at.getTime() + count * 3_600_000);
const rule = (showInHours: number, eventCancelled = false) => customerRefundRule({ showStartsAt: hours(showInHours), eventCancelled, at });

describe("refund rules", () => {
  test("more than 7 days before the show 100%; exactly 7 days down to exactly 3 days 50%; under 3 days 0%", () => {
    expect(rule(7 * 24 + 0.001).percent).toBe(100);
    expect(rule(7 * 24).percent).toBe(50);
    expect(rule(3 * 24).percent).toBe(50);
    expect(rule(3 * 24 - 0.001).percent).toBe(0);
    expect(rule(-1).percent).toBe(0);
    expect(rule(30 * 24).reason).toBe("customer_request");
  });

  test("an event cancelled by its organizer is refunded in full whenever", () => {
    expect(rule(1, true)).toEqual({ percent: 100, reason: "event_cancelled" });
    expect(rule(-5, true)).toEqual({ percent: 100, reason: "event_cancelled" });
  });

  test("amounts are rounded down in minor units", () => {
    expect(refundAmount(300_000, 50)).toBe(150_000);
    expect(refundAmount(333, 50)).toBe(166);
    expect(refundAmount(333, 0)).toBe(0);
    expect(refundAmount(333, 100)).toBe(333);
  });
});
