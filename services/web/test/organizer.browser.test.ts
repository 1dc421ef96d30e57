/**
 * The organizer's side in a real browser against the platform with the payment path's workers
 * running (outbox relay, payment worker against the mock gateway, payment saga, projector): the
 * demo organizer logs in through the form, creates an event, edits it, adds a show with a
 * general-admission zone and an assigned-seating zone, finds it as a draft in My events and
 * publishes it from there (a buyer then finds it in the events list); opens its live sales screen
 * while a scripted load of buyers reserves and pays through the public API, and the screen comes
 * to the figures GET /admin/sales reports without a reload; turns the waiting room on, pauses it,
 * changes its rate and resumes it, the API agreeing after each; cancels a second event. Every
 * organizer page is checked with axe and photographed at desktop and phone width.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import type { BrowserContext, Page } from "playwright-core";
import { expectAccessible, logIn, openPage, screenshot, viewports } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** Charge, saga, projection of every buyer: seconds on a quiet machine, more on a loaded one. */
const soldWithinMs = 120_000;
/** The live screen reads the stream every 2 s; a reconnect after a drop can take longer. */
const screenWithinMs = 45_000;
/** The scripted load: this many buyers, half on the standing zone (2 tickets each), half a seat each. */
const buyers = 12;

const suite = browserSuite("web_organizer", ["outbox-relay", "payment-worker", "payment-saga", "projector"]);

/** A time `hours` from now as a `<input type="datetime-local">` value (the contexts run in UTC). */
const localInput = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);

/** A value of a `<dl class="facts">` on the page by its term, e.g. "Tickets sold". */
const fact = (page: Page, term: string) => page.locator("dl.facts").locator(`dt:text-is("${term}") + dd`);

/** A zone's cell of the live sales table, by the zone's row and the column's index (0 is the price). */
const zoneCell = (page: Page, zone: string, column: number) =>
  page
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: zone, exact: true }) })
    .getByRole("cell")
    .nth(column);

/**
 * The page at phone width too: a context of its own signed in as the desktop one is (its stored
 * tokens), opened at `path` until `ready` shows, checked with axe and photographed.
 */
async function atPhoneWidth(desktop: BrowserContext, path: string, name: string, ready: (page: Page) => Promise<void>) {
  const phone = await suite.openContext("phone", await desktop.storageState());
  try {
    const { page, expectNoProblems } = await openPage(phone);
    await page.goto(path);
    await ready(page);
    await expectAccessible(page, `${name} (phone)`);
    await screenshot(page, name, "phone");
    // Nothing wider than the screen: no sideways scrolling of the whole page on a phone.
    expect(Number(await page.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(viewports.phone.viewport.width);
    expectNoProblems();
  } finally {
    await phone.close();
  }
}

/** Desktop now, then the same page at phone width. */
async function checkPage(desktop: BrowserContext, page: Page, name: string, ready: (page: Page) => Promise<void>) {
  await ready(page);
  await expectAccessible(page, `${name} (desktop)`);
  await screenshot(page, name, "desktop");
  await atPhoneWidth(desktop, new URL(page.url()).pathname, name, ready);
}

/** A buyer registered through the API who reserves `body` and pays for it by card; the booking's id. */
async function buyAndPay(name: string, body: Record<string, unknown>) {
  const buyer = await suite.platform.buyer(name);
  const hold = await suite.platform.api("POST", "/bookings/reserve", buyer.token, body);
  expect({ name, status: hold.status }).toEqual({ name, status: 201 });
  const payment = await suite.platform.api("POST", "/payments", buyer.token, { booking_id: hold.body.data.booking_id, method: "card" });
  expect({ name, status: payment.status }).toEqual({ name, status: 202 });
  return hold.body.data.booking_id as string;
}

describe("the organizer's pages", () => {
  test("create, edit, zones, publish from My events, watch a sale live, run the waiting room, cancel", async () => {
    const context = await suite.openContext("desktop");
    try {
      const { page, expectNoProblems } = await openPage(context);
      const token = await suite.platform.organizerToken();
      const title = `Organizer Night ${crypto.randomUUID().slice(0, 6)}`;
      const editedTitle = `${title}, edited`;

      // Log in through the form; My events lists the tenant's seeded event as published.
      await logIn(page, suite.platform.demo.organizer.email, suite.platform.demoPassword);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My events" }).click();
      await page.getByRole("heading", { level: 1, name: "My events" }).waitFor();
      await page.getByRole("listitem").filter({ hasText: suite.platform.demoEventTitle }).getByText("Published", { exact: true }).waitFor();

      // Create the draft.
      await page.getByRole("link", { name: "Create an event" }).click();
      await checkPage(context, page, "organizer-create", async (at) => {
        await at.getByRole("heading", { level: 1, name: "Create an event" }).waitFor();
        await at.getByRole("form", { name: "The new event" }).waitFor();
      });
      const newEvent = page.getByRole("form", { name: "The new event" });
      await newEvent.getByLabel("Title", { exact: true }).fill(title);
      await newEvent.getByLabel("Description").fill("Made in the browser test.");
      await newEvent.getByLabel("Venue").fill("Test Hall");
      await newEvent.getByLabel("Sales open").fill(localInput(-1));
      await newEvent.getByLabel("Sales close").fill(localInput(48));
      await newEvent.getByRole("button", { name: "Create the draft" }).click();
      await page.getByRole("heading", { level: 1, name: `Manage: ${title}` }).waitFor();
      const eventId = new URL(page.url()).pathname.split("/").pop()!;
      expect((await suite.platform.api("GET", `/events/${eventId}`, token)).body.data).toMatchObject({
        title,
        status: "draft",
        venue: "Test Hall",
      });
      // A draft is nobody else's business.
      expect((await suite.platform.api("GET", `/events/${eventId}`, null)).status).toBe(404);

      // Edit it.
      await checkPage(context, page, "organizer-edit", async (at) => {
        await at.getByRole("heading", { level: 1, name: /^Manage: / }).waitFor();
        await at.getByRole("form", { name: "Edit the event" }).waitFor();
      });
      const editForm = page.getByRole("form", { name: "Edit the event" });
      await editForm.getByLabel("Title", { exact: true }).fill(editedTitle);
      await editForm.getByLabel("Most tickets per buyer").fill("6");
      await editForm.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("heading", { level: 1, name: `Manage: ${editedTitle}` }).waitFor();
      expect((await suite.platform.api("GET", `/events/${eventId}`, token)).body.data).toMatchObject({
        title: editedTitle,
        max_tickets_per_user: 6,
        status: "draft",
      });

      // A show, a standing zone and a zone of two rows of seats.
      const showForm = page.getByRole("form", { name: "Add a show" });
      await showForm.getByLabel("Starts").fill(localInput(72));
      await showForm.getByLabel("Ends").fill(localInput(75));
      await showForm.getByRole("button", { name: "Add the show" }).click();
      const zoneForm = page.getByRole("form", { name: /^Add a zone to the show of / });
      await zoneForm.getByLabel("Zone name", { exact: true }).fill("Standing");
      await zoneForm.getByLabel(/^Price/).fill("20.00");
      await zoneForm.getByLabel("Places", { exact: true }).fill("100");
      await zoneForm.getByRole("button", { name: "Add the zone" }).click();
      await page.getByText(/^Standing: .*, 100 places$/).waitFor();
      // Emptied for the next zone, so a second click cannot add the same zone twice.
      expect(await zoneForm.getByLabel("Zone name", { exact: true }).inputValue()).toBe("");
      await zoneForm.getByLabel("Assigned seats (rows of numbered seats)").check();
      await zoneForm.getByLabel("Zone name", { exact: true }).fill("Seated");
      await zoneForm.getByLabel(/^Price/).fill("30.00");
      await zoneForm.getByLabel("Rows", { exact: true }).fill("A 5\nB 5");
      await zoneForm.getByRole("button", { name: "Add the zone" }).click();
      await page.getByText(/^Seated: .*, 10 assigned seats$/).waitFor();
      await checkPage(context, page, "organizer-zones", async (at) => {
        await at.getByText(/^Standing: .*, 100 places$/).waitFor();
        await at.getByText(/^Seated: .*, 10 assigned seats$/).waitFor();
      });
      const shows = (await suite.platform.api("GET", `/events/${eventId}/shows`, token)).body.data as { id: string }[];
      expect(shows).toHaveLength(1);
      const showId = shows[0]!.id;
      const zones = (await suite.platform.api("GET", `/shows/${showId}/zones`, token)).body.data as {
        id: string;
        name: string;
        kind: string;
        price: number;
        total_seats: number;
      }[];
      const byName = [...zones].sort((one, other) => one.name.localeCompare(other.name));
      expect(byName.map(({ name, kind, price, total_seats }) => ({ name, kind, price, total_seats }))).toEqual([
        { name: "Seated", kind: "assigned", price: 3000, total_seats: 10 },
        { name: "Standing", kind: "general_admission", price: 2000, total_seats: 100 },
      ]);
      const zoneId = (name: string) => zones.find((zone) => zone.name === name)!.id;

      // My events shows it as a draft; it is published from there, and a buyer finds it.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My events" }).click();
      const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: editedTitle }) });
      await checkPage(context, page, "organizer-events", async (at) => {
        await at.getByRole("heading", { level: 1, name: "My events" }).waitFor();
        await at
          .getByRole("listitem")
          .filter({ has: at.getByRole("heading", { name: editedTitle }) })
          .getByText("Draft: not on sale")
          .waitFor();
        await at.getByRole("listitem").filter({ hasText: suite.platform.demoEventTitle }).getByText("Published", { exact: true }).waitFor();
      });
      await card.getByRole("button", { name: "Publish" }).click();
      await page
        .getByRole("status")
        .filter({ hasText: `Published: ${editedTitle}.` })
        .waitFor();
      await card.getByText("Published", { exact: true }).waitFor();
      expect((await suite.platform.api("GET", `/events/${eventId}`, token)).body.data.status).toBe("published");
      const listed = await suite.platform.api("GET", `/events?q=${encodeURIComponent(editedTitle)}`, null);
      expect(listed.body.data.map((event: { id: string }) => event.id)).toEqual([eventId]);
      const buyerContext = await suite.openContext("desktop");
      try {
        const { page: buyerPage, expectNoProblems: expectNoBuyerProblems } = await openPage(buyerContext);
        const buyer = await suite.platform.buyer("browsing");
        await logIn(buyerPage, buyer.email, buyerPassword);
        await buyerPage.goto("/events");
        await buyerPage.getByRole("link", { name: editedTitle }).waitFor();
        expectNoBuyerProblems();
      } finally {
        await buyerContext.close();
      }

      // The live sales screen, open while a scripted load buys; it must follow without a reload.
      await card.getByRole("link", { name: "Live sales" }).click();
      await page.getByRole("heading", { level: 1, name: `Live sales: ${editedTitle}` }).waitFor();
      await page.getByRole("status").filter({ hasText: "Live." }).waitFor({ timeout: screenWithinMs });
      await fact(page, "Tickets sold").filter({ hasText: /^0$/ }).waitFor();
      await page.evaluate(() => {
        (globalThis as unknown as { sameDocument: boolean }).sameDocument = true;
      });
      const seats = (await suite.platform.api("GET", `/shows/${showId}/seats?zone_id=${zoneId("Seated")}`, null)).body.data as {
        id: string;
      }[];
      expect(seats).toHaveLength(10);
      await Promise.all(
        Array.from({ length: buyers }, (_, index) =>
          buyAndPay(
            `load-${index}`,
            index < buyers / 2
              ? { show_id: showId, zone_id: zoneId("Standing"), quantity: 2 }
              : { show_id: showId, seat_ids: [seats[index - buyers / 2]!.id] },
          ),
        ),
      );
      const expectedTickets = (buyers / 2) * 2 + buyers / 2;
      const sales = await eventually(
        async () => {
          const answer = await suite.platform.api("GET", `/admin/sales?event_id=${eventId}`, token);
          expect(answer.status).toBe(200);
          expect(answer.body.data.tickets_sold).toBe(expectedTickets);
          return answer.body.data as { revenue: number; zones: { name: string; sold: number }[] };
        },
        { timeoutMs: soldWithinMs, intervalMs: 500 },
      );
      expect(sales.revenue).toBe((buyers / 2) * 2 * 2000 + (buyers / 2) * 3000);
      expect(Object.fromEntries(sales.zones.map((zone) => [zone.name, zone.sold]))).toEqual({ Standing: buyers, Seated: buyers / 2 });
      // The screen shows what the API reports: tickets, revenue (in major units), sold per zone.
      await fact(page, "Tickets sold")
        .filter({ hasText: new RegExp(`^${expectedTickets}$`) })
        .waitFor({ timeout: screenWithinMs });
      await fact(page, "Revenue")
        .filter({ hasText: (sales.revenue / 100).toFixed(2) })
        .waitFor({ timeout: screenWithinMs });
      await zoneCell(page, "Standing", 4)
        .filter({ hasText: new RegExp(`^${buyers}$`) })
        .waitFor({ timeout: screenWithinMs });
      await zoneCell(page, "Seated", 4)
        .filter({ hasText: new RegExp(`^${buyers / 2}$`) })
        .waitFor({ timeout: screenWithinMs });
      expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      await checkPage(context, page, "organizer-live-sales", async (at) => {
        await at.getByRole("heading", { level: 1, name: /^Live sales: / }).waitFor();
        await fact(at, "Tickets sold")
          .filter({ hasText: new RegExp(`^${expectedTickets}$`) })
          .waitFor({ timeout: screenWithinMs });
      });

      // The waiting room: on through the event form, then paused, slowed and resumed on the sales screen.
      await page.getByRole("link", { name: "Manage the event" }).click();
      const settings = page.getByRole("form", { name: "Edit the event" });
      await settings.getByLabel("Buyers wait in line and are let in at a steady rate").check();
      await settings.getByRole("button", { name: "Save changes" }).click();
      await settings.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      const eventNow = async () => (await suite.platform.api("GET", `/events/${eventId}`, token)).body.data;
      expect(await eventNow()).toMatchObject({ queue_enabled: true, queue_paused: false, queue_rate_per_minute: 600 });

      await page.getByRole("link", { name: "Live sales" }).click();
      const controls = page.getByRole("region", { name: "Waiting room controls" });
      await controls.getByText("Admission is running.").waitFor();
      await controls.getByRole("button", { name: "Pause admission" }).click();
      await controls.getByText("Admission is paused.").waitFor();
      expect(await eventNow()).toMatchObject({ queue_enabled: true, queue_paused: true });

      const rateForm = controls.getByRole("form", { name: "Admission rate" });
      await rateForm.getByLabel("Buyers let in per minute").fill("120");
      await rateForm.getByRole("button", { name: "Change admission" }).click();
      await controls.getByRole("status").filter({ hasText: "Admission changed." }).waitFor();
      expect(await eventNow()).toMatchObject({ queue_rate_per_minute: 120, queue_paused: true });
      await checkPage(context, page, "organizer-queue-controls", async (at) => {
        await at.getByRole("region", { name: "Waiting room controls" }).getByText("Admission is paused.").waitFor();
        // The pushed figures follow the pause too.
        await fact(at, "Admission")
          .filter({ hasText: /^Paused$/ })
          .waitFor({ timeout: screenWithinMs });
      });

      await controls.getByRole("button", { name: "Resume admission" }).click();
      await controls.getByText("Admission is running.").waitFor();
      expect(await eventNow()).toMatchObject({ queue_enabled: true, queue_paused: false, queue_rate_per_minute: 120 });

      // A second event, published, cancelled from its page; My events shows it cancelled.
      const second = (
        await suite.platform.api("POST", "/events", token, {
          title: `${title}, second`,
          venue: "Test Hall",
          booking_opens_at: new Date(Date.now() - 3_600_000).toISOString(),
          booking_closes_at: new Date(Date.now() + 48 * 3_600_000).toISOString(),
        })
      ).body.data;
      const secondShow = await suite.platform.api("POST", `/events/${second.id}/shows`, token, {
        starts_at: new Date(Date.now() + 72 * 3_600_000).toISOString(),
        ends_at: new Date(Date.now() + 75 * 3_600_000).toISOString(),
      });
      expect(
        (
          await suite.platform.api("POST", `/shows/${secondShow.body.data.id}/zones`, token, {
            name: "Standing",
            price: 1000,
            total_seats: 10,
          })
        ).status,
      ).toBe(201);
      expect((await suite.platform.api("POST", `/events/${second.id}/publish`, token)).status).toBe(200);
      await page.goto(`/organizer/events/${second.id}`);
      await page.getByRole("button", { name: "Cancel this event…" }).click();
      await page
        .getByRole("form", { name: "Confirm cancelling the event" })
        .getByRole("button", { name: "Yes, cancel and refund everyone" })
        .click();
      await page.getByRole("status").filter({ hasText: "This event is cancelled" }).first().waitFor();
      const cancelled = (await suite.platform.api("GET", `/events/${second.id}`, token)).body.data;
      expect(cancelled.status).toBe("cancelled");
      expect(cancelled.cancelled_at).not.toBeNull();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My events" }).click();
      await page
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { name: `${title}, second` }) })
        .getByText("Cancelled", { exact: true })
        .waitFor();
      await page
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { name: editedTitle }) })
        .getByText("Published", { exact: true })
        .waitFor();
      expectNoProblems();
    } finally {
      await context.close();
    }
  }, 600_000);
});
