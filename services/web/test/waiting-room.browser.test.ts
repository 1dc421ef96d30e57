/**
 * The waiting room in a real browser, with the queue admitter running as its own process: the
 * organizer turns the sale's waiting room on with admission paused; a buyer who logged in through
 * the form goes from the event page into the line and sees their place (the one the API gives
 * them), axe-clean and photographed at both widths; when the organizer resumes admission the page
 * says it is their turn without a reload, and with the pass the buyer holds two standing tickets
 * and lands on checkout, where the hold is the one the API shows.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { atEachWidth, expectAccessible, launchBrowser, logIn, openPage, screenshot } from "./support/browser";
import { buyerPassword, type WebPlatform, webPlatform } from "./support/web-platform";

/** Admission once resumed: the admitter's next pass, on a loaded machine. */
const admittedWithinMs = 30_000;

let platform: WebPlatform;
let browser: Browser;
let organizerToken: string;

beforeAll(async () => {
  platform = await webPlatform("web_waiting_room", ["queue-admitter"]);
  browser = await launchBrowser();
  const organizer = await platform.api("POST", "/auth/login", null, {
    email: platform.demo.organizer.email,
    password: platform.demoPassword,
  });
  expect(organizer.status).toBe(200);
  organizerToken = organizer.body.data.tokens.access_token;
  const queued = await platform.api("PUT", `/events/${platform.demo.event_id}`, organizerToken, { queue_enabled: true });
  expect(queued.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
}, 60_000);

async function setAdmission(action: "pause" | "resume") {
  const answer = await platform.api("POST", `/admin/events/${platform.demo.event_id}/queue/${action}`, organizerToken);
  expect(answer.status).toBe(200);
  expect(answer.body.data.queue_paused).toBe(action === "pause");
}

describe("the waiting room", () => {
  test("a buyer waits in line, is admitted without a reload, and holds two tickets with the pass", async () => {
    await atEachWidth(browser, platform.url(""), async (context, width) => {
      await setAdmission("pause");
      const buyer = await platform.buyer(`queued-${width}`);
      const { page, expectNoProblems } = await openPage(context);
      await logIn(page, buyer.email, buyerPassword);

      await page.goto(platform.eventPath());
      const standing = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Standing", exact: true }) });
      await standing.getByRole("link", { name: "Join the waiting room" }).click();
      await page.getByRole("heading", { level: 1, name: `Waiting room: ${platform.demoEventTitle}` }).waitFor();
      const place = page.getByText(/^\d+ in line$/);
      await place.waitFor();
      // The place shown is the buyer's place as the API tells it.
      const status = await platform.api("GET", `/queue/status?event_id=${platform.demo.event_id}`, buyer.token);
      expect(status.status).toBe(200);
      expect(status.body.data.status).toBe("waiting");
      expect(await place.textContent()).toBe(`${status.body.data.position} in line`);
      await expectAccessible(page, `waiting room (${width})`);
      await screenshot(page, "waiting-room", width);

      await setAdmission("resume");
      const turn = page.getByRole("alert").filter({ hasText: "It is your turn" });
      await turn.waitFor({ timeout: admittedWithinMs });
      await expectAccessible(page, `waiting room, admitted (${width})`);
      await screenshot(page, "waiting-room-admitted", width);
      await turn.getByRole("link", { name: "Choose seats" }).click();

      const hold = page.getByRole("form", { name: "Hold tickets in Standing" });
      await hold.getByLabel("Tickets").fill("2");
      await hold.getByRole("button", { name: "Hold tickets" }).click();
      await page.waitForURL("**/checkout/*");
      await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
      await page.getByRole("timer").waitFor();
      const bookingId = new URL(page.url()).pathname.split("/").pop()!;
      const booking = await platform.api("GET", `/bookings/${bookingId}`, buyer.token);
      expect(booking.status).toBe(200);
      expect(booking.body.data).toMatchObject({ status: "reserved", quantity: 2, zone_id: platform.demo.zones.Standing });
      await expectAccessible(page, `checkout (${width})`);
      await screenshot(page, "checkout", width);
      expectNoProblems();
    });
  }, 240_000);
});
