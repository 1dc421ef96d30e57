/**
 * The waiting room's settings hash, `{ev:E}:queue` (keys.ts): what the catalog writes from an
 * event's row and the booking service's queue scripts read. Only settings live here; the queue
 * itself (places, passes, counters) is the booking service's and is never written by the catalog.
 */
import type { Event } from "@booking-rush/db/schema";

export interface QueueSettings {
  enabled: boolean;
  paused: boolean;
  ratePerMinute: number;
  maxActive: number;
  passTtlSeconds: number;
  order: "fifo" | "random";
  /** When the pre-queue opens; null: no pre-queue (it opens with the sale). */
  opensAt: Date | null;
}

export const queueSettingsOf = (event: Event): QueueSettings => ({
  enabled: event.queueEnabled,
  paused: event.queuePaused,
  ratePerMinute: event.queueRatePerMinute,
  maxActive: event.queueMaxActive,
  passTtlSeconds: event.queuePassTtlSeconds,
  order: event.queueOrder,
  opensAt: event.queueOpensAt,
});

/**
 * Every field of the hash, always all of them, so one HSET replaces what an earlier one wrote.
 * Without a pre-queue, `prequeue_opens_at_ms` is the sale's own opening: the field is always a
 * number, and "pre-queue open" is simply `now >= prequeue_opens_at_ms`.
 */
export function queueSettingsHash(settings: QueueSettings, saleOpensAt: Date): Record<string, string> {
  return {
    enabled: settings.enabled ? "1" : "0",
    paused: settings.paused ? "1" : "0",
    rate_per_minute: String(settings.ratePerMinute),
    max_active: String(settings.maxActive),
    pass_ttl_ms: String(settings.passTtlSeconds * 1000),
    order: settings.order,
    prequeue_opens_at_ms: String((settings.opensAt ?? saleOpensAt).getTime()),
  };
}
