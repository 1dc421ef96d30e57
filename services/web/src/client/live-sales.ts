/**
 * The live sales screen's connection: GET /admin/sales/stream read with fetch (the Authorization
 * header; event-stream.ts), connected again after every drop or end with a growing pause. A failed
 * connection reads GET /admin/sales once instead: its envelope carries the error (403, 404), a 401
 * refreshes the token, and the figures stay current while the stream is down.
 */
import { ApiError, request, tokenStore } from "./api";
import { eventStreamFrames, StreamFailed } from "./event-stream";
import type { LiveSales } from "./organizer";

export interface SalesListener {
  /** New figures. */
  onFigures(figures: LiveSales): void;
  /** Any frame (a keep-alive too): the connection is alive at this time. */
  onAlive(at: number): void;
  /** The stream is connected, or it dropped and a new connection is under way. */
  onConnected(connected: boolean): void;
}

/** Pause before connecting again: 1 s after a clean end, doubling after each failure up to 30 s. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5));
}

/** Follows the event's sales until `signal` aborts; an error the organizer must act on (403, 404) is thrown. */
export async function followSales(eventId: string, listener: SalesListener, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const tokens = tokenStore.get();
      const response = await fetch(`/api/v1/admin/sales/stream?event_id=${encodeURIComponent(eventId)}`, {
        headers: { accept: "text/event-stream", ...(tokens ? { authorization: `Bearer ${tokens.access_token}` } : {}) },
        signal,
      });
      if (response.ok && response.body) {
        listener.onConnected(true);
        for await (const frame of eventStreamFrames(response)) {
          if (frame.event === "error") throw new StreamFailed();
          listener.onAlive(Date.now());
          if (frame.data !== null) listener.onFigures(JSON.parse(frame.data) as LiveSales);
          failures = 0;
        }
      } else {
        await response.body?.cancel();
        listener.onFigures(await request<LiveSales>("/admin/sales", { query: { event_id: eventId }, signal }));
        listener.onAlive(Date.now());
        failures += 1;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status !== 0 && error.status !== 503 && error.status !== 429 && error.status !== 401)
        throw error;
      failures += 1;
    }
    listener.onConnected(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, reconnectDelayMs(failures));
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
