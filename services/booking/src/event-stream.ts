/**
 * A JSON answer pushed as Server-Sent Events (GET /queue/stream, GET /admin/sales/stream): the
 * first answer at once, then one read every `nextReadMs`, a `data:` line when the answer changed
 * and a comment line when not (so proxies keep the connection), until the answer is settled, the
 * client goes, or `maxMs` passes (the client connects again). A failed read ends the stream with
 * an `error` event.
 */

export interface StreamPacing<T> {
  /** The client's reconnection delay (the `retry:` field). */
  retryMs: number;
  /** The stream ends after this long. */
  maxMs: number;
  /** How long to wait before reading again, given the last answer. */
  nextReadMs: (current: T) => number;
  /** Nothing further will happen without the client acting: the stream ends. */
  settled?: (current: T) => boolean;
}

/** No buffering anywhere between the service and the client: each frame is sent as it is written. */
export const eventStreamHeaders = { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" };

export function jsonEventStream<T>(first: T, read: () => Promise<T>, pacing: StreamPacing<T>, signal: AbortSignal) {
  const encoder = new TextEncoder();
  const deadline = Date.now() + pacing.maxMs;
  const settled = pacing.settled ?? (() => false);
  // closed: nothing more is read or sent; cancelled: the reader cancelled the stream (it cannot be closed any more).
  let closed = false;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      let last = JSON.stringify(first);
      send(`retry: ${pacing.retryMs}\ndata: ${last}\n\n`);
      let current = first;
      // The client going away wakes the wait at once: no read after it, the stream ends now.
      let wake = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const stop = () => {
        closed = true;
        wake();
      };
      signal.addEventListener("abort", stop);
      try {
        while (!closed && !signal.aborted && !settled(current) && Date.now() < deadline) {
          await Promise.race([Bun.sleep(Math.min(pacing.nextReadMs(current), Math.max(0, deadline - Date.now()))), woken]);
          if (closed || signal.aborted || Date.now() >= deadline) break;
          current = await read();
          const text = JSON.stringify(current);
          if (text !== last) send(`data: ${text}\n\n`);
          else send(": waiting\n\n");
          last = text;
        }
      } catch {
        // A read failed (a dependency unreachable): the stream ends; the client reconnects or polls.
        if (!closed) send("event: error\ndata: {}\n\n");
      } finally {
        signal.removeEventListener("abort", stop);
        closed = true;
        if (!cancelled) controller.close();
      }
    },
    cancel() {
      closed = true;
      cancelled = true;
    },
  });
}
