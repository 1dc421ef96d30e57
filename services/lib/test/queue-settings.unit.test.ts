import { describe, expect, test } from "bun:test";
import { type QueueSettings, queueSettingsHash } from "../src/inventory/queue-settings";

const settings: QueueSettings = {
  enabled: true,
  paused: false,
  ratePerMinute: 600,
  maxActive: 1000,
  passTtlSeconds: 300,
  order: "random",
  opensAt: new Date("2027-01-01T09:00:00Z"),
};
const saleOpensAt = new Date("2027-01-01T10:00:00Z");

describe("the waiting room's settings hash", () => {
  test("has every field of the contract in keys.ts, as strings Redis stores (flags 1|0, the pass lifetime in ms)", () => {
    expect(queueSettingsHash(settings, saleOpensAt)).toEqual({
      enabled: "1",
      paused: "0",
      rate_per_minute: "600",
      max_active: "1000",
      pass_ttl_ms: "300000",
      order: "random",
      prequeue_opens_at_ms: String(Date.parse("2027-01-01T09:00:00Z")),
    });
    expect(queueSettingsHash({ ...settings, enabled: false, paused: true, order: "fifo" }, saleOpensAt)).toMatchObject({
      enabled: "0",
      paused: "1",
      order: "fifo",
    });
  });

  test("without a pre-queue, the pre-queue opens with the sale: the field is always a number", () => {
    expect(queueSettingsHash({ ...settings, opensAt: null }, saleOpensAt).prequeue_opens_at_ms).toBe(String(saleOpensAt.getTime()));
  });
});
