/**
 * Server-Sent Events read with fetch (EventSource cannot send the Authorization header): each
 * frame as it arrives, comments (the server's keep-alive when nothing changed) included, so a
 * live screen knows the connection is alive even when no figure changed.
 */

export interface StreamFrame {
  /** The `event:` field; "message" when there is none. */
  event: string;
  /** The `data:` lines joined; null for a frame with none (a comment). */
  data: string | null;
}

/** One frame's text (without the blank line that ends it). */
export function parseFrame(text: string): StreamFrame {
  let event = "message";
  const data: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    else if (line.startsWith("event:")) event = line.slice(6).trim();
  }
  return { event, data: data.length > 0 ? data.join("\n") : null };
}

/** Every frame of the response's body, as it arrives, until the server ends it. */
export async function* eventStreamFrames(response: Response): AsyncGenerator<StreamFrame> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value.replaceAll("\r\n", "\n");
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.trim()) yield parseFrame(frame);
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** The server ended the stream with an `error` event (a read failed on its side): connect again. */
export class StreamFailed extends Error {
  constructor() {
    super("the event stream reported an error");
    this.name = "StreamFailed";
  }
}

/** Each `data:` frame's JSON, as it arrives; an `error` event throws StreamFailed. */
export async function* streamedJson<T>(response: Response): AsyncGenerator<T> {
  for await (const frame of eventStreamFrames(response)) {
    if (frame.event === "error") throw new StreamFailed();
    if (frame.data !== null) yield JSON.parse(frame.data) as T;
  }
}
