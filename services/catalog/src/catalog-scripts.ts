/**
 * The typed call of lua/cancel-event.lua, the catalog's one Redis script: its KEYS and ARGV are
 * built here in the order of the script's header (keys from lib's layout, eventKeys) and nowhere
 * else. catalog-scripts.unit.test.ts checks it against the header.
 */
import type { ScriptRunner } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";

export interface CancelEventCommand {
  eventId: string;
  tenantId: string;
  traceparent?: string;
}

/** lua/cancel-event.lua: closes the event's sale and writes event.cancelled; 1 when now cancelled, 0 when it already was. */
export function cancelEventScript(runner: ScriptRunner, command: CancelEventCommand): Promise<0 | 1> {
  const keys = eventKeys(command.eventId);
  return runner.run<0 | 1>(
    "cancel-event",
    [keys.event, keys.outbox],
    [command.eventId, command.tenantId, command.traceparent ?? ""],
    (changed) => changed === 1,
  );
}
