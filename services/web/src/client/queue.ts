/**
 * The waiting room's client side: join, then the place pushed over /queue/stream (read with
 * fetch, since EventSource cannot send the Authorization header), falling back to polling
 * /queue/status no sooner than the server asks; and the pass of an admitted buyer, kept for this
 * tab until it expires and sent as X-Queue-Pass when holding seats of that event.
 */
import { ApiError, request, tokenStore } from "./api";

export interface QueueAnswer {
  status: "waiting" | "admitted" | "sold_out" | "closed";
  position: number | null;
  eta_seconds: number | null;
  queue_pass?: string;
  queue_pass_expires_at?: string;
  poll_after_seconds: number;
}

const passKey = (eventId: string) => `booking-rush.queue-pass.${eventId}`;

/** The pass of the event, while it is valid. */
export function queuePassFor(eventId: string): string | undefined {
  try {
    const stored = sessionStorage.getItem(passKey(eventId));
    if (!stored) return undefined;
    const { pass, expiresAt } = JSON.parse(stored) as { pass: string; expiresAt: string };
    if (Date.parse(expiresAt) > Date.now()) return pass;
    sessionStorage.removeItem(passKey(eventId));
  } catch {
    // Storage unavailable (private mode): the buyer waits again.
  }
  return undefined;
}

function keepPass(eventId: string, answer: QueueAnswer) {
  if (answer.status !== "admitted" || !answer.queue_pass || !answer.queue_pass_expires_at) return;
  try {
    sessionStorage.setItem(passKey(eventId), JSON.stringify({ pass: answer.queue_pass, expiresAt: answer.queue_pass_expires_at }));
  } catch {
    // As above.
  }
}

export const joinQueue = (eventId: string) => request<QueueAnswer>("/queue/join", { method: "POST", body: { event_id: eventId } });

/** Where nothing more happens to the place without the buyer acting. */
const settled = (answer: QueueAnswer) => answer.status !== "waiting";

/** Each `data:` line's JSON of an event stream, as it arrives. */
async function* streamedAnswers(response: Response): AsyncGenerator<QueueAnswer> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of frame.split("\n")) if (line.startsWith("data:")) yield JSON.parse(line.slice(5).trim()) as QueueAnswer;
      end = buffer.indexOf("\n\n");
    }
  }
}

/**
 * Follows the buyer's place until it is settled or `signal` aborts: the stream while it lasts
 * (the server ends it after a while), else a status read after poll_after_seconds.
 */
export async function followPlace(eventId: string, onAnswer: (answer: QueueAnswer) => void, signal: AbortSignal): Promise<void> {
  let pollAfterSeconds = 1;
  while (!signal.aborted) {
    try {
      const tokens = tokenStore.get();
      const response = await fetch(`/api/v1/queue/stream?event_id=${encodeURIComponent(eventId)}`, {
        headers: { accept: "text/event-stream", ...(tokens ? { authorization: `Bearer ${tokens.access_token}` } : {}) },
        signal,
      });
      if (response.ok && response.body) {
        for await (const answer of streamedAnswers(response)) {
          keepPass(eventId, answer);
          onAnswer(answer);
          pollAfterSeconds = answer.poll_after_seconds;
          if (settled(answer)) return;
        }
      } else {
        // An expired token (401) is refreshed by the status read below; its errors reach the page.
        const answer = await request<QueueAnswer>("/queue/status", { query: { event_id: eventId }, signal });
        keepPass(eventId, answer);
        onAnswer(answer);
        pollAfterSeconds = answer.poll_after_seconds;
        if (settled(answer)) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status !== 0 && error.status !== 503 && error.status !== 429) throw error;
      if (error instanceof ApiError && error.retryAfterSeconds) pollAfterSeconds = error.retryAfterSeconds;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, pollAfterSeconds) * 1000));
  }
}
