/**
 * W3C trace context across the asynchronous hops (HTTP → Redis outbox → Kafka → workers), on the
 * OpenTelemetry API. Without a started SDK (telemetry off) the API is a no-op that still carries
 * the caller's context, so a `traceparent` passes through unchanged.
 */
import { type Context, context, type Link, type SpanContext, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";

const tracer = () => trace.getTracer("booking-rush");

const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, "0")}`;
}

export function parseTraceparent(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent?.match(pattern);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/**
 * What a change records for the events it writes: the active span (the request's server span)
 * when tracing is on, else the caller's own `traceparent` header when it is valid (W3C: a header
 * that does not parse is ignored, never refused).
 */
export function currentTraceparent(fallback?: string): string | undefined {
  const active = trace.getActiveSpan()?.spanContext();
  if (active && trace.isSpanContextValid(active)) return formatTraceparent(active);
  return parseTraceparent(fallback) ? fallback : undefined;
}

const contextOf = (traceparent: string | undefined): Context => {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(context.active(), parent) : context.active();
};

/**
 * A PRODUCER span, child of the event's recorded trace, for sending one message. Its
 * `traceparent` goes into the message headers (the new span's, or the recorded one unchanged when
 * tracing is off); `end` closes it once the send finished or failed.
 */
export function startProducerSpan(name: string, traceparent: string | undefined) {
  const span = tracer().startSpan(name, { kind: SpanKind.PRODUCER }, contextOf(traceparent));
  const own = span.spanContext();
  return {
    traceparent: span.isRecording() && trace.isSpanContextValid(own) ? formatTraceparent(own) : traceparent,
    end(error?: unknown) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
    },
  };
}

/** A CONSUMER span over a batch, linked to the trace of every message in it. */
export async function inConsumerSpan<T>(name: string, traceparents: (string | undefined)[], work: () => Promise<T>): Promise<T> {
  const links: Link[] = traceparents
    .map(parseTraceparent)
    .filter((parent): parent is SpanContext => !!parent)
    .map((parent) => ({ context: parent }));
  // One message: its trace continues here; a batch of several: linked to each.
  const parent = links.length === 1 ? contextOf(traceparents.find(Boolean)) : context.active();
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER, links: links.length === 1 ? [] : links }, parent, async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });
}
