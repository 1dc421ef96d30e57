/** Each typed call of booking-scripts.ts against its script's header (lua/*.lua): as many keys and arguments, all in one slot. */
import { describe, expect, test } from "bun:test";
import { eventKeys } from "@booking-rush/lib/inventory";
import { expectCallMatchesHeader, recordingRunner } from "@booking-rush/test-support/lua-header";
import {
  confirmScript,
  expireScript,
  outboxLeaseReleaseScript,
  outboxLeaseScript,
  queueAdmitScript,
  queueJoinScript,
  queueStatusScript,
  releaseScript,
  reserveScript,
} from "../src/booking-scripts";

const eventId = "event-1";
const change = { eventId, bookingId: "booking-1", userId: "user-1", recordTtlSeconds: 60, traceparent: "00-trace" };

const calls: [script: string, call: (runner: ReturnType<typeof recordingRunner>["runner"]) => Promise<unknown>][] = [
  [
    "reserve",
    (runner) =>
      reserveScript(runner, {
        eventId,
        showId: "show-1",
        zoneId: "zone-1",
        bookingId: "booking-1",
        userId: "user-1",
        idempotencyKey: "key-1",
        requestHash: "hash",
        quantity: 2,
        seatIds: [],
        holdMs: 600_000,
        rateBurst: 10,
        ratePerMinute: 20,
        queuePassId: "",
        idempotencyTtlSeconds: 600,
      }),
  ],
  ["confirm", (runner) => confirmScript(runner, { ...change, paymentId: "payment-1" })],
  ["release", (runner) => releaseScript(runner, change)],
  ["expire", (runner) => expireScript(runner, { eventId, batchSize: 100, recordTtlSeconds: 60 })],
  ["outbox-lease", (runner) => outboxLeaseScript(runner, { eventId, holder: "relay-1", leaseMs: 5_000 })],
  ["outbox-lease-release", (runner) => outboxLeaseReleaseScript(runner, { eventId, holder: "relay-1" })],
  ["queue-join", (runner) => queueJoinScript(runner, { eventId, userId: "user-1" })],
  ["queue-status", (runner) => queueStatusScript(runner, { eventId, userId: "user-1" })],
  ["queue-admit", (runner) => queueAdmitScript(runner, { eventId, intervalMs: 1_000, batchMax: 100 })],
];

describe("booking-scripts.ts matches the headers of lua/", () => {
  for (const [script, call] of calls) {
    test(`${script}: as many KEYS and ARGV as ${script}.lua declares, every key in the event's slot`, async () => {
      const { runner, calls: recorded } = recordingRunner(script === "expire" ? [0, 0] : 0);
      await call(runner);
      expectCallMatchesHeader(recorded, script);
      expect(recorded[0]!.keys.filter((key) => !key.startsWith(eventKeys(eventId).tag))).toEqual([]);
    });
  }
});
