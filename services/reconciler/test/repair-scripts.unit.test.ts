/** The reconciler's typed script calls against the headers of lua/repair-zone.lua, lua/restore-bookings.lua and lua/rebuild-zones.lua. */
import { describe, expect, test } from "bun:test";
import { eventKeys } from "@booking-rush/lib/inventory";
import { expectCallMatchesHeader, recordingRunner } from "@booking-rush/test-support/lua-header";
import { rebuildZonesScript, repairZoneScript, restoreBookingsScript } from "../src/repair-scripts";

const eventId = "event-1";

describe("repair-scripts.ts matches the headers of lua/", () => {
  test("repair-zone: as many KEYS and ARGV as repair-zone.lua declares, every key in the event's slot", async () => {
    const { runner, calls } = recordingRunner();
    await repairZoneScript(runner, { eventId, zoneId: "zone-1", token: 7, comparedSeq: 4, sold: 3, soldSeats: {} });
    expectCallMatchesHeader(calls, "repair-zone");
    expect(calls[0]!.keys.filter((key) => !key.startsWith(eventKeys(eventId).tag))).toEqual([]);
  });

  test("rebuild-zones: as many KEYS and ARGV as rebuild-zones.lua declares, every key in the event's slot", async () => {
    const { runner, calls } = recordingRunner();
    const event = {
      status: "published",
      tenant_id: "tenant-1",
      opens_at_ms: 1,
      closes_at_ms: 2,
      max_per_user: 4,
      waitlist_limit: 0,
      min_age: 0,
    };
    await rebuildZonesScript(runner, { eventId, token: 7, truth: { event, zones: [] } });
    expectCallMatchesHeader(calls, "rebuild-zones");
    expect(calls[0]!.keys.filter((key) => !key.startsWith(eventKeys(eventId).tag))).toEqual([]);
  });

  test("restore-bookings: as many KEYS and ARGV as restore-bookings.lua declares, every key in the event's slot", async () => {
    const { runner, calls } = recordingRunner();
    await restoreBookingsScript(runner, { eventId, token: 7, bookings: [] });
    expectCallMatchesHeader(calls, "restore-bookings");
    expect(calls[0]!.keys.filter((key) => !key.startsWith(eventKeys(eventId).tag))).toEqual([]);
  });
});
