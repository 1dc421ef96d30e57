/**
 * The organizer pages' requests (services/web/src/client: organizer.ts builds the bodies,
 * live-sales.ts follows the sales) against the real auth, catalog and booking services on the
 * local stack, with `fetch` on the page's origin and `localStorage` as a browser has them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiError, request, tokenStore } from "@booking-rush/web/client/api";
import { followSales } from "@booking-rush/web/client/live-sales";
import { eventBody, fieldErrors, type LiveSales, type OrganizerEvent, parseRows, priceToMinor } from "@booking-rush/web/client/organizer";
import { installPageGlobals } from "./support/page-globals";
import { type PlatformFixture, platformFixture } from "./support/platform";

let platform: PlatformFixture;
let page: ReturnType<typeof installPageGlobals>;

// The shortest stream the settings allow: the screen must connect again within the test.
const streamSeconds = 10;

beforeAll(async () => {
  platform = await platformFixture("web_organizer", { salesStreamMaxSeconds: streamSeconds });
  page = installPageGlobals((request) => platform.app.handle(request));
  tokenStore.set({ access_token: platform.organizerToken, refresh_token: "not-used" });
});
afterAll(async () => {
  page?.restore();
  await platform?.close();
});

/** A `<input type="datetime-local">` value `hours` from now. */
function localInput(hours: number): string {
  const date = new Date(Date.now() + hours * 3_600_000);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

async function until<T>(what: string, read: () => T | undefined, deadlineMs = 20_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

describe("the organizer's pages against the platform", () => {
  test("the event form's body creates the event; its errors come back by field; drafts are not listed", async () => {
    const refused = await request("/events", {
      method: "POST",
      body: eventBody({ title: "", venue: "Hall", booking_opens_at: localInput(1), booking_closes_at: localInput(-1), min_age: "old" }),
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(Object.keys(fieldErrors(refused)).sort()).toEqual(["min_age", "title"]);
    const crossed = await request("/events", {
      method: "POST",
      body: eventBody({ title: "Crossed", venue: "Hall", booking_opens_at: localInput(2), booking_closes_at: localInput(1) }),
    }).catch((error: unknown) => error);
    expect(fieldErrors(crossed)).toEqual({ booking_closes_at: expect.any(String) });

    const created = await request<OrganizerEvent>("/events", {
      method: "POST",
      body: eventBody({
        title: "Form concert",
        description: "From the form",
        venue: "Hall",
        booking_opens_at: localInput(-1),
        booking_closes_at: localInput(48),
        max_tickets_per_user: "6",
        waitlist_limit: "25",
        min_age: "16",
        queue_enabled: "on",
        queue_rate_per_minute: "90",
        queue_max_active: "40",
        queue_pass_ttl_seconds: "120",
        queue_order: "fifo",
        queue_opens_at: localInput(-2),
      }),
    });
    expect(created).toMatchObject({
      status: "draft",
      title: "Form concert",
      max_tickets_per_user: 6,
      waitlist_limit: 25,
      min_age: 16,
      queue_enabled: true,
      queue_rate_per_minute: 90,
      queue_max_active: 40,
      queue_pass_ttl_seconds: 120,
      queue_order: "fifo",
    });
    expect(Date.parse(created.booking_opens_at)).toBe(Date.parse(new Date(localInput(-1)).toISOString()));
    // Drafts are not in GET /events: the API lists published events only.
    const listed = await request<OrganizerEvent[]>("/events", { query: { per_page: 100 } });
    expect(listed.map((event) => event.id)).not.toContain(created.id);
  });

  test("shows and zones from the forms, publish, then the waiting room's pause, rate and resume", async () => {
    const event = await request<OrganizerEvent>("/events", {
      method: "POST",
      body: eventBody({
        title: "Zones",
        venue: "Hall",
        booking_opens_at: localInput(-1),
        booking_closes_at: localInput(48),
        queue_enabled: "on",
      }),
    });
    const show = await request<{ id: string }>(`/events/${event.id}/shows`, {
      method: "POST",
      body: { starts_at: new Date(localInput(72)).toISOString(), ends_at: new Date(localInput(75)).toISOString() },
    });
    const general = await request<{ price: number; total_seats: number }>(`/shows/${show.id}/zones`, {
      method: "POST",
      body: { name: "Standing", price: priceToMinor("45.50"), total_seats: 50 },
    });
    expect(general).toMatchObject({ price: 4550, total_seats: 50 });
    const seated = await request<{ rows: { label: string; seats: number }[]; total_seats: number }>(`/shows/${show.id}/zones`, {
      method: "POST",
      body: { name: "Seated", price: priceToMinor("80"), rows: parseRows("A 4\nB: 5") },
    });
    expect(seated.rows).toEqual([
      { label: "A", seats: 4 },
      { label: "B", seats: 5 },
    ]);
    expect(seated.total_seats).toBe(9);
    const badRows = await request(`/shows/${show.id}/zones`, {
      method: "POST",
      body: { name: "Bad", price: 100, rows: parseRows("front row") },
    }).catch((error: unknown) => error);
    expect(Object.keys(fieldErrors(badRows))).toEqual(["rows"]);

    expect((await request<OrganizerEvent>(`/events/${event.id}/publish`, { method: "POST" })).status).toBe("published");
    expect((await request<OrganizerEvent>(`/admin/events/${event.id}/queue/pause`, { method: "POST" })).queue_paused).toBe(true);
    const rated = await request<OrganizerEvent>(`/admin/events/${event.id}/queue`, { method: "PUT", body: { rate_per_minute: 30 } });
    expect(rated).toMatchObject({ queue_paused: true, queue_rate_per_minute: 30 });
    expect((await request<OrganizerEvent>(`/admin/events/${event.id}/queue/resume`, { method: "POST" })).queue_paused).toBe(false);
    expect((await request<OrganizerEvent>(`/events/${event.id}`)).queue_paused).toBe(false);

    // Cancelling answers the cancelled event (its buyers are refunded), not a deletion.
    const cancelled = await request<OrganizerEvent & { deleted: boolean }>(`/events/${event.id}`, { method: "DELETE" });
    expect(cancelled).toMatchObject({ status: "cancelled", deleted: false });
  });

  test(
    "the live sales follow the stream, show a hold as it happens, and connect again when the stream ends",
    async () => {
      const sale = await platform.publishedEvent();
      const figures: LiveSales[] = [];
      const connections: boolean[] = [];
      const controller = new AbortController();
      const following = followSales(
        sale.event.id,
        { onFigures: (next) => figures.push(next), onAlive: () => {}, onConnected: (connected) => connections.push(connected) },
        controller.signal,
      );
      try {
        const first = await until("the first figures", () => figures[0]);
        expect(first.event_id).toBe(sale.event.id);
        expect(first.zones.find((zone) => zone.zone_id === sale.general.id)).toMatchObject({ total: 100, available: 100, held: 0 });
        expect(first.sales_per_minute).toHaveLength(60);

        const buyer = await platform.buyer();
        const held = await platform.call("POST", "/bookings/reserve", buyer.token, {
          show_id: sale.show.id,
          zone_id: sale.general.id,
          quantity: 3,
        });
        expect(held.status).toBe(201);
        const withHold = await until("the hold on the screen", () =>
          figures.find((next) => next.zones.some((zone) => zone.zone_id === sale.general.id && zone.held === 3)),
        );
        expect(withHold.zones.find((zone) => zone.zone_id === sale.general.id)).toMatchObject({ available: 97, held: 3, sold: 0 });

        // The server ends the stream after streamSeconds: the screen notices and connects again.
        await until(
          "a reconnection",
          () => (connections.join().includes("true,false,true") ? true : undefined),
          (streamSeconds + 15) * 1000,
        );
        const before = figures.length;
        await until("figures after reconnecting", () => (figures.length > before ? true : undefined), 10_000);
      } finally {
        controller.abort();
        await following;
      }
    },
    (streamSeconds + 60) * 1000,
  );
});
