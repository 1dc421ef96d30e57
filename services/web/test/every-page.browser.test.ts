/**
 * Every page of the app (each pattern of page-patterns.ts: the map below must name them all, or it
 * does not compile) opened in a real browser as the visitor it is for: at phone and desktop width,
 * its heading shown, nothing wider than the screen, nothing logged as an error, axe finding no
 * serious or critical violation, and a screenshot under .stack/screenshots/
 * (`page-<pattern>-<width>.png`). Then each page again as a stranger who is not logged in: a
 * heading and a way on, never a blank page or an error in the console.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type { PagePattern } from "../src/client/page-patterns";
import { expectAccessible, logIn, openPage, screenshot, type ViewportName, viewportNames } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

type Visitor = "stranger" | "buyer" | "organizer" | "admin";

/** What a visit needs to fill in a pattern's parameters. */
interface Ids {
  eventId: string;
  showId: string;
  seatedZoneId: string;
  bookingId: string;
  waitlistedBookingId: string;
}

interface Visit {
  as: Visitor;
  path: (ids: Ids) => string;
  /** The page's h1 for the visitor it is for. */
  heading: string | RegExp;
}

const visits: Record<PagePattern, Visit> = {
  "/": { as: "stranger", path: () => "/", heading: "Events" },
  "/events": { as: "stranger", path: () => "/events", heading: "Events" },
  "/login": { as: "stranger", path: () => "/login", heading: "Log in" },
  "/register": { as: "stranger", path: () => "/register", heading: "Create an account" },
  "/logout": { as: "buyer", path: () => "/logout", heading: "Log out" },
  "/forgot-password": { as: "stranger", path: () => "/forgot-password", heading: "Forgot your password?" },
  "/reset-password": { as: "stranger", path: () => "/reset-password", heading: "Choose a new password" },
  "/profile": { as: "buyer", path: () => "/profile", heading: "Your profile" },
  "/bookings": { as: "buyer", path: () => "/bookings", heading: "My bookings" },
  "/events/:id": { as: "stranger", path: (ids) => `/events/${ids.eventId}`, heading: "Booking Rush Demo Night" },
  "/events/:eventId/shows/:showId/zones/:zoneId": {
    as: "buyer",
    path: (ids) => `/events/${ids.eventId}/shows/${ids.showId}/zones/${ids.seatedZoneId}`,
    heading: "Choose seats: Seated",
  },
  "/queue/:eventId": { as: "buyer", path: (ids) => `/queue/${ids.eventId}`, heading: "Waiting room: Booking Rush Demo Night" },
  "/checkout/:bookingId": { as: "buyer", path: (ids) => `/checkout/${ids.bookingId}`, heading: "Checkout" },
  "/bookings/:bookingId/pay": { as: "buyer", path: (ids) => `/bookings/${ids.bookingId}/pay`, heading: "Checkout" },
  "/waitlist/:bookingId": { as: "buyer", path: (ids) => `/waitlist/${ids.waitlistedBookingId}`, heading: "Your waitlist place" },
  "/organizer": { as: "organizer", path: () => "/organizer", heading: "My events" },
  "/organizer/events/new": { as: "organizer", path: () => "/organizer/events/new", heading: "Create an event" },
  "/organizer/events/:eventId": { as: "organizer", path: (ids) => `/organizer/events/${ids.eventId}`, heading: /Booking Rush Demo Night/ },
  "/organizer/events/:eventId/sales": {
    as: "organizer",
    path: (ids) => `/organizer/events/${ids.eventId}/sales`,
    heading: /Booking Rush Demo Night/,
  },
  "/organizer/branding": { as: "admin", path: () => "/organizer/branding", heading: /^Branding/ },
};

/** "/events/:id" → "events-id", a screenshot's name. */
const slug = (pattern: string) => pattern.replaceAll(/[/:]+/g, "-").replace(/^-|-$/g, "") || "home";

let ids: Ids;
let buyer: { email: string; token: string };

const suite = browserSuite("web_every_page");

beforeAll(async () => {
  buyer = await suite.platform.buyer("every-page");
  // A hold of the buyer's own, for the checkout pages.
  const hold = await suite.platform.api("POST", "/bookings/reserve", buyer.token, {
    show_id: suite.platform.demo.show_id,
    zone_id: suite.platform.demo.zones.Standing,
    quantity: 1,
  });
  expect(hold.status).toBe(201);
  // And a place on the waitlist of Front Row, which a rival holds whole.
  const rival = await suite.platform.buyer("every-page-rival");
  const frontRow = { show_id: suite.platform.demo.show_id, zone_id: suite.platform.demo.zones["Front Row"] };
  expect((await suite.platform.api("POST", "/bookings/reserve", rival.token, { ...frontRow, quantity: 2 })).status).toBe(201);
  const waiting = await suite.platform.api("POST", "/bookings/reserve", buyer.token, { ...frontRow, quantity: 1, join_waitlist: true });
  expect(waiting.body.data.status).toBe("waitlisted");
  ids = {
    eventId: suite.platform.demo.event_id,
    showId: suite.platform.demo.show_id,
    seatedZoneId: suite.platform.demo.zones.Seated!,
    bookingId: hold.body.data.booking_id,
    waitlistedBookingId: waiting.body.data.booking_id,
  };
}, 180_000);

function credentials(visitor: Exclude<Visitor, "stranger">) {
  if (visitor === "buyer") return { email: buyer.email, password: buyerPassword };
  return { email: suite.platform.demo[visitor].email, password: suite.platform.demoPassword };
}

/** Opens each of these patterns' pages at one width in one context, as one visitor. */
async function visitAll(visitor: Visitor, patterns: PagePattern[], width: ViewportName) {
  await suite.inContext(width, async (context) => {
    const { page, expectNoProblems } = await openPage(context);
    if (visitor !== "stranger") {
      const { email, password } = credentials(visitor);
      await logIn(page, email, password);
    }
    for (const pattern of patterns) {
      const visit = visits[pattern];
      await page.goto(visit.path(ids));
      await page.getByRole("heading", { level: 1, name: visit.heading }).waitFor();
      await expect(page.getByRole("heading", { level: 1, name: "Something went wrong" }).count()).resolves.toBe(0);
      await expectAccessible(page, `${pattern} as ${visitor} (${width})`);
      // Usable at this width: nothing makes the page itself scroll sideways (a wide table scrolls in its own box).
      expect({ pattern, overflow: Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) }).toEqual({
        pattern,
        overflow: 0,
      });
      await screenshot(page, `page-${slug(pattern)}`, width);
      if (pattern === "/logout") {
        await page.getByRole("status").filter({ hasText: "You are logged out." }).waitFor();
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Log in" }).waitFor();
      }
    }
    expectNoProblems();
  });
}

const patternsFor = (visitor: Visitor) =>
  (Object.keys(visits) as PagePattern[]).filter((pattern) => visits[pattern].as === visitor && pattern !== "/logout");

describe("every page, as the visitor it is for", () => {
  for (const visitor of ["stranger", "buyer", "organizer", "admin"] as const) {
    test(`${visitor}: at each width, shown, axe-clean, photographed`, async () => {
      for (const width of viewportNames) await visitAll(visitor, patternsFor(visitor), width);
    }, 300_000);
  }

  test("log out, last: the buyer is told they are logged out, and the header offers to log in", async () => {
    for (const width of viewportNames) await visitAll("buyer", ["/logout"], width);
  }, 120_000);
});

describe("every page, as a stranger who is not logged in", () => {
  test("a heading and a way on; never a blank page or a console error", async () => {
    await suite.inContext("phone", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      for (const pattern of Object.keys(visits) as PagePattern[]) {
        await page.goto(visits[pattern].path(ids));
        await page.getByRole("heading", { level: 1 }).waitFor();
        expect(await page.getByRole("heading", { level: 1, name: "Something went wrong" }).count(), pattern).toBe(0);
        // Either the page itself, or the way to log in to see it.
        await page
          .getByRole("link", { name: /log in/i })
          .first()
          .waitFor();
        await expectAccessible(page, `${pattern} as a stranger`);
      }
      // Pages a stranger may not see answer 401 to the app's requests: the console shows those, nothing else.
      expectNoProblems([/status of 401/]);
    });
  }, 300_000);
});
