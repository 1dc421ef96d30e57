/**
 * The organizer pages' logic (client/organizer.ts, live-sales.ts) and the event-stream reader the
 * waiting room and the live sales screen share (client/event-stream.ts).
 */
import { describe, expect, test } from "bun:test";
import { ApiError } from "../src/client/api";
import { eventStreamFrames, parseFrame, StreamFailed, streamedJson } from "../src/client/event-stream";
import { reconnectDelayMs } from "../src/client/live-sales";
import {
  changedEventBody,
  eventBody,
  eventFormValues,
  fieldErrors,
  isoToLocal,
  isStale,
  localToIso,
  type OrganizerEvent,
  parseRows,
  priceToMinor,
  salesChart,
  staleAfterMs,
} from "../src/client/organizer";
import { matchPath, pagePatterns } from "../src/client/page-patterns";

/** A response whose body arrives in exactly these chunks, as a network would cut it. */
const chunked = (...chunks: string[]) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    }),
  );

async function collect<T>(iterator: AsyncGenerator<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

describe("the organizer's pages", () => {
  test("are pages of the client, in an order where /organizer/events/new is not taken for an event id", () => {
    for (const pattern of ["/organizer", "/organizer/events/new", "/organizer/events/:eventId", "/organizer/events/:eventId/sales"])
      expect(pagePatterns as readonly string[]).toContain(pattern);
    const firstMatch = (path: string) => pagePatterns.find((pattern) => matchPath(pattern, path));
    expect(firstMatch("/organizer/events/new")).toBe("/organizer/events/new");
    expect(firstMatch("/organizer/events/abc")).toBe("/organizer/events/:eventId");
    expect(firstMatch("/organizer/events/abc/sales")).toBe("/organizer/events/:eventId/sales");
  });
});

describe("the event form", () => {
  test("its fields become the body of POST /events: times in UTC, numbers as numbers, empty ones left to the server", () => {
    const opens = "2027-03-01T10:00";
    const body = eventBody({
      title: "Concert",
      description: "",
      category: "",
      venue: "Hall",
      booking_opens_at: opens,
      booking_closes_at: "2027-03-02T10:00",
      max_tickets_per_user: "6",
      waitlist_limit: "",
      min_age: "0",
      queue_rate_per_minute: "120",
      queue_order: "fifo",
      queue_opens_at: "",
    });
    expect(body).toEqual({
      title: "Concert",
      description: "",
      category: null,
      venue: "Hall",
      booking_opens_at: new Date(opens).toISOString(),
      booking_closes_at: new Date("2027-03-02T10:00").toISOString(),
      max_tickets_per_user: 6,
      min_age: null,
      queue_enabled: false,
      queue_rate_per_minute: 120,
      queue_order: "fifo",
      queue_opens_at: null,
    });
    const queued = eventBody({ queue_enabled: "on", min_age: "18", queue_opens_at: "2027-03-01T09:00", category: "music" });
    expect(queued).toMatchObject({
      queue_enabled: true,
      min_age: 18,
      category: "music",
      queue_opens_at: new Date("2027-03-01T09:00").toISOString(),
    });
    // Not a number: sent as typed, for the server to name the field.
    expect(eventBody({ waitlist_limit: "ten" }).waitlist_limit).toBe("ten");
  });

  test("an edit sends only what changed: a time shown to the minute is not sent back rounded", () => {
    const event = {
      id: "e",
      tenant_id: "t",
      title: "Concert",
      description: "",
      category: "concerts",
      venue: "Hall",
      status: "published",
      currency: "EUR",
      booking_opens_at: "2027-03-01T10:00:30.500Z",
      booking_closes_at: "2027-03-02T10:00:00.000Z",
      max_tickets_per_user: 4,
      waitlist_limit: 0,
      min_age: null,
      queue_enabled: true,
      queue_paused: false,
      queue_rate_per_minute: 600,
      queue_max_active: 1000,
      queue_pass_ttl_seconds: 300,
      queue_order: "random",
      queue_opens_at: null,
      updated_at: "2027-01-01T00:00:00.000Z",
    } satisfies OrganizerEvent;
    const shown = eventFormValues(event);
    expect(changedEventBody(event, shown)).toEqual({});
    expect(changedEventBody(event, { ...shown, title: "Concert II", queue_rate_per_minute: "60" })).toEqual({
      title: "Concert II",
      queue_rate_per_minute: 60,
    });
    // The waiting room turned off: only that is sent.
    const { queue_enabled: _on, ...withoutQueue } = shown;
    expect(changedEventBody(event, withoutQueue)).toEqual({ queue_enabled: false });
    expect(changedEventBody(event, { ...shown, min_age: "18", category: "" })).toEqual({ min_age: 18, category: null });
  });

  test("a time shown in the form reads back as the same instant", () => {
    const iso = "2027-03-01T09:30:00.000Z";
    expect(localToIso(isoToLocal(iso))).toBe(iso);
    expect(isoToLocal(null)).toBe("");
    expect(localToIso("")).toBe("");
  });

  test("rows are typed one a line or comma-separated; a line that does not read so goes to the server as it is", () => {
    expect(parseRows("A 12\nB: 10\n\n  C=8 ")).toEqual([
      { label: "A", seats: 12 },
      { label: "B", seats: 10 },
      { label: "C", seats: 8 },
    ]);
    expect(parseRows("AA 2, BB 3")).toEqual([
      { label: "AA", seats: 2 },
      { label: "BB", seats: 3 },
    ]);
    expect(parseRows("front row")).toEqual([{ label: "front row", seats: 0 }]);
    expect(parseRows("")).toEqual([]);
  });

  test("a price in major units is minor units of the currency; anything else is not a price", () => {
    expect(priceToMinor("45")).toBe(4500);
    expect(priceToMinor("12.5")).toBe(1250);
    expect(priceToMinor("12,05")).toBe(1205);
    expect(priceToMinor("1000", 0)).toBe(1000);
    expect(priceToMinor("1.234")).toBeNaN();
    expect(priceToMinor("-3")).toBeNaN();
    expect(priceToMinor("")).toBeNaN();
  });

  test("a VALIDATION_ERROR's fields become inline messages by the field's name; other errors none", () => {
    const error = new ApiError("VALIDATION_ERROR", 400, "The request is not valid", "req-1", undefined, {
      fields: [
        { in: "body", field: "booking_closes_at", message: "must be after booking_opens_at" },
        { in: "body", field: "rows.1.seats", message: "Expected integer" },
        { in: "body", field: "rows.1.label", message: "Expected string" },
        { in: "body", field: "", message: "Body is not valid" },
      ],
    });
    expect(fieldErrors(error)).toEqual({
      booking_closes_at: "must be after booking_opens_at",
      rows: "Expected integer; Expected string",
    });
    expect(fieldErrors(new ApiError("CONFLICT", 409, "x", undefined))).toEqual({});
    expect(fieldErrors(new Error("x"))).toEqual({});
  });
});

describe("the live sales screen", () => {
  test("the last hour's sales are bars scaled to the busiest minute, with their total", () => {
    const minutes = [0, 3, 6, 0].map((tickets, index) => ({ minute: `2027-03-01T10:0${index}:00.000Z`, tickets, revenue: tickets * 100 }));
    const chart = salesChart(minutes);
    expect(chart.peak).toBe(6);
    expect(chart.total).toBe(9);
    expect(chart.bars.map((bar) => bar.share)).toEqual([0, 0.5, 1, 0]);
    expect(chart.bars.map((bar) => bar.minute)).toEqual(minutes.map((minute) => minute.minute));
    expect(salesChart(minutes.map((minute) => ({ ...minute, tickets: 0 }))).bars.every((bar) => bar.share === 0)).toBe(true);
  });

  test("figures are stale when the stream dropped, nothing came yet, or nothing came for a while", () => {
    const now = 1_000_000;
    expect(isStale(now - 1_000, true, now)).toBe(false);
    expect(isStale(now - 1_000, false, now)).toBe(true);
    expect(isStale(null, true, now)).toBe(true);
    expect(isStale(now - staleAfterMs - 1, true, now)).toBe(true);
  });

  test("reconnecting waits longer after each failure, up to 30 seconds", () => {
    expect(reconnectDelayMs(0)).toBe(1_000);
    expect(reconnectDelayMs(1)).toBe(2_000);
    expect(reconnectDelayMs(3)).toBe(8_000);
    expect(reconnectDelayMs(50)).toBe(30_000);
  });
});

describe("the event-stream reader", () => {
  test("frames cut anywhere by the network come out whole, keep-alive comments included", async () => {
    const frames = await collect(
      eventStreamFrames(
        chunked("retry: 2000\nda", 'ta: {"a":1}\n', "\n: waiting\n\n", "event: error\r\ndata: {}\r\n\r\n", 'data: {"b"', ":2}\n\n"),
      ),
    );
    expect(frames).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "message", data: null },
      { event: "error", data: "{}" },
      { event: "message", data: '{"b":2}' },
    ]);
  });

  test("data lines of one frame are joined; a frame without data is a comment", () => {
    expect(parseFrame("data: one\ndata: two")).toEqual({ event: "message", data: "one\ntwo" });
    expect(parseFrame(": keep-alive")).toEqual({ event: "message", data: null });
  });

  test("JSON data is parsed as it arrives, comments skipped, and an error event ends it with StreamFailed", async () => {
    expect(await collect(streamedJson<{ n: number }>(chunked('data: {"n":1}\n\n: waiting\n\ndata: {"n":2}\n\n')))).toEqual([
      { n: 1 },
      { n: 2 },
    ]);
    const seen: unknown[] = [];
    const failing = (async () => {
      for await (const item of streamedJson(chunked('data: {"n":1}\n\nevent: error\ndata: {}\n\ndata: {"n":3}\n\n'))) seen.push(item);
    })();
    await expect(failing).rejects.toBeInstanceOf(StreamFailed);
    expect(seen).toEqual([{ n: 1 }]);
  });
});
