/**
 * The waiting room in a real browser, with the queue admitter running as its own process: the
 * organizer turns the sale's waiting room on with admission paused; a buyer who logged in through
 * the form goes from the event page into the line and sees their place (the one the API gives
 * them), axe-clean and photographed at both widths; when the organizer resumes admission the page
 * says it is their turn without a reload, and with the pass the buyer holds two standing tickets
 * and lands on checkout, where the hold is the one the API shows.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { expectAccessible, holdTickets, logIn, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** Admission once resumed: the admitter's next pass, on a loaded machine. */
const admittedWithinMs = 30_000;

const suite = browserSuite("web_waiting_room", ["queue-admitter"]);

// The organizer turns the sale's waiting room on.
beforeAll(() => suite.platform.turnQueueOn(), 60_000);

describe("the waiting room", () => {
  test("a buyer waits in line, is admitted without a reload, and holds two tickets with the pass", async () => {
    await suite.atEachWidth(async (context, width) => {
      await suite.platform.setAdmission("pause");
      const buyer = await suite.platform.buyer(`queued-${width}`);
      const { page, expectNoProblems } = await openPage(context);
      await logIn(page, buyer.email, buyerPassword);

      await page.goto(suite.platform.eventPath());
      const standing = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Standing", exact: true }) });
      await standing.getByRole("link", { name: "Join the waiting room" }).click();
      await page.getByRole("heading", { level: 1, name: `Waiting room: ${suite.platform.demoEventTitle}` }).waitFor();
      const place = page.getByText(/^\d+ in line$/);
      await place.waitFor();
      // The place shown is the buyer's place as the API tells it.
      const status = await suite.platform.api("GET", `/queue/status?event_id=${suite.platform.demo.event_id}`, buyer.token);
      expect(status.status).toBe(200);
      expect(status.body.data.status).toBe("waiting");
      expect(await place.textContent()).toBe(`${status.body.data.position} in line`);
      await expectAccessible(page, `waiting room (${width})`);
      await screenshot(page, "waiting-room", width);

      await suite.platform.setAdmission("resume");
      const turn = page.getByRole("alert").filter({ hasText: "It is your turn" });
      await turn.waitFor({ timeout: admittedWithinMs });
      await expectAccessible(page, `waiting room, admitted (${width})`);
      await screenshot(page, "waiting-room-admitted", width);
      await turn.getByRole("link", { name: "Choose seats" }).click();

      const bookingId = await holdTickets(page, "Standing", 2);
      const booking = await suite.platform.api("GET", `/bookings/${bookingId}`, buyer.token);
      expect(booking.status).toBe(200);
      expect(booking.body.data).toMatchObject({ status: "reserved", quantity: 2, zone_id: suite.platform.demo.zones.Standing });
      await expectAccessible(page, `checkout (${width})`);
      await screenshot(page, "checkout", width);
      expectNoProblems();
    });
  }, 240_000);
});
