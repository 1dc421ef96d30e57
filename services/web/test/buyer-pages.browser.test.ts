/**
 * The buyer's first pages in a real browser (Debian's chromium) against the running platform on
 * the real local stack: the events list and an event page at desktop and phone width, each with
 * axe finding no serious or critical violation and a screenshot under .stack/screenshots/; a buyer
 * who registers, logs out and logs in again through the forms; and the event page following the
 * availability live while another buyer holds seats through the API.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { expectAccessible, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** How long the page may take to show what the API already says (it polls the zones every few seconds). */
const liveWithinMs = 20_000;

const suite = browserSuite("web_buyer_pages");

/** A zone's availability as its row of the event page's zones table reads it, e.g. "997 of 1000 available". */
const availability = (page: Page, zone: string, text: string) =>
  page
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: zone, exact: true }) })
    .getByRole("cell", { name: text, exact: true });

/** The header's link to the signed-in buyer's profile, named after them. */
const profileLink = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: `Profile (${name})` });

async function expectSignedInAs(page: Page, name: string) {
  await profileLink(page, name).waitFor();
}

describe("the events list and an event page", () => {
  test("load at desktop and phone width, axe-clean, photographed, the zones with prices and availability", async () => {
    await suite.atEachWidth(async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      await page.goto("/events");
      await page.getByRole("heading", { level: 1, name: "Events" }).waitFor();
      const eventLink = page.getByRole("link", { name: suite.platform.demoEventTitle });
      await eventLink.waitFor();
      await expectAccessible(page, `events (${width})`);
      await screenshot(page, "events", width);

      await eventLink.click();
      await page.getByRole("heading", { level: 1, name: suite.platform.demoEventTitle }).waitFor();
      expect(new URL(page.url()).pathname).toBe(suite.platform.eventPath());
      // The seeded zones as the API reports them, nothing held yet.
      await availability(page, "Standing", "1000 of 1000 available").waitFor();
      await availability(page, "Front Row", "2 of 2 available").waitFor();
      await availability(page, "Seated", "30 of 30 available").waitFor();
      await expectAccessible(page, `event (${width})`);
      await screenshot(page, "event", width);
      expectNoProblems();
    });
  }, 180_000);
});

describe("a buyer's account through the forms", () => {
  test("registers, is signed in, logs out, is refused a wrong password and logs in again", async () => {
    await suite.atEachWidth(async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      const name = `Ann ${width}`;
      const email = suite.platform.newEmail(`ann-${width}`);

      await page.goto("/register");
      await page.getByRole("heading", { level: 1, name: "Create an account" }).waitFor();
      await expectAccessible(page, `register (${width})`);
      await screenshot(page, "register", width);
      const registerForm = page.getByRole("form", { name: "Create an account" });
      await registerForm.getByLabel("Name").fill(name);
      await registerForm.getByLabel("E-mail").fill(email);
      await registerForm.getByLabel("Password").fill(buyerPassword);
      await registerForm.getByRole("button", { name: "Create account" }).click();
      await expectSignedInAs(page, name);
      await page.waitForURL("**/events");
      // The account is real: the API logs it in with the same password.
      expect((await suite.platform.api("POST", "/auth/login", null, { email, password: buyerPassword })).status).toBe(200);

      await page.getByRole("link", { name: "Log out" }).click();
      await page.getByRole("status").filter({ hasText: "You are logged out." }).waitFor();
      await page.getByRole("link", { name: "Log in", exact: true }).first().click();
      await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
      await expectAccessible(page, `login (${width})`);
      await screenshot(page, "login", width);

      const loginForm = page.getByRole("form", { name: "Log in" });
      await loginForm.getByLabel("E-mail").fill(email);
      await loginForm.getByLabel("Password").fill("not-the-password-9");
      await loginForm.getByRole("button", { name: "Log in" }).click();
      // Refused in words, still on the form, not signed in.
      await page
        .getByRole("alert")
        .filter({ hasText: /log in/i })
        .waitFor();
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(await profileLink(page, name).count()).toBe(0);

      await loginForm.getByLabel("Password").fill(buyerPassword);
      await loginForm.getByRole("button", { name: "Log in" }).click();
      await expectSignedInAs(page, name);
      await page.waitForURL("**/events");
      // A reload keeps the session (the tokens are stored, /auth/me answers).
      await page.reload();
      await expectSignedInAs(page, name);
      // The refused login's 401 is the only error the browser logged.
      expectNoProblems([/status of 401/]);
    });
  }, 180_000);
});

describe("the event page follows the sale", () => {
  test("another buyer's hold through the API shows on the open page without a reload", async () => {
    await suite.inContext("desktop", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      await page.goto(suite.platform.eventPath());
      const before = (await suite.platform.availability()).Standing!;
      await availability(page, "Standing", `${before} of 1000 available`).waitFor();

      const rival = await suite.platform.buyer("rival");
      const hold = await suite.platform.api("POST", "/bookings/reserve", rival.token, {
        show_id: suite.platform.demo.show_id,
        zone_id: suite.platform.demo.zones.Standing,
        quantity: 3,
      });
      expect(hold.status).toBe(201);
      expect((await suite.platform.availability()).Standing).toBe(before - 3);
      await availability(page, "Standing", `${before - 3} of 1000 available`).waitFor({ timeout: liveWithinMs });

      // And back when the hold is released.
      const cancelled = await suite.platform.api("POST", `/bookings/${hold.body.data.booking_id}/cancel`, rival.token);
      expect(cancelled.status).toBe(200);
      await availability(page, "Standing", `${before} of 1000 available`).waitFor({ timeout: liveWithinMs });
      expectNoProblems();
    });
  }, 120_000);
});
