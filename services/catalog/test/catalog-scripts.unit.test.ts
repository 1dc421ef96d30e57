/** cancelEventScript against lua/cancel-event.lua's header: as many keys and arguments, all in the event's slot. */
import { expect, test } from "bun:test";
import { eventKeys } from "@booking-rush/lib/inventory";
import { expectCallMatchesHeader, recordingRunner } from "@booking-rush/test-support/lua-header";
import { cancelEventScript } from "../src/catalog-scripts";

test("cancel-event: as many KEYS and ARGV as cancel-event.lua declares, every key in the event's slot", async () => {
  const { runner, calls } = recordingRunner(1);
  await cancelEventScript(runner, { eventId: "event-1", tenantId: "tenant-1" });
  expectCallMatchesHeader(calls, "cancel-event");
  expect(calls[0]!.keys.filter((key) => !key.startsWith(eventKeys("event-1").tag))).toEqual([]);
});
