/**
 * A 429 in a real browser tells the buyer what happens next, and the page gets over it by itself:
 * a platform of its own with a tiny per-client API limit (API_RATE_*: a few requests at once, one
 * more every two seconds), a second client at the same address (this test, as a buyer's household
 * behind one router would) spending the bucket while the buyer opens the event page. The page's
 * reads are refused with Retry-After for real; the page says it will try again by itself in that
 * many seconds (not a blank page, not a bare error), and once the other client stops, the limit
 * refills and the page shows the event and its zones without a reload. Axe-clean and photographed
 * at both widths while the message is up.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { atEachWidth, expectAccessible, launchBrowser, openPage, screenshot } from "./support/browser";
import { type WebPlatform, webPlatform } from "./support/web-platform";

/** One token every two seconds, four at once: the page's own polling (one read per 5 s) stays well inside it. */
const tightLimit = { API_RATE_PER_MINUTE: "30", API_RATE_BURST: "4" };
/** The other client's spending is bounded in requests and in time. */
const drainRequestsAtMost = 2_000;
const drainMsAtMost = 90_000;
/** Recovery: the bucket refills within seconds; a loaded machine is slower to render. */
const recoveredWithinMs = 60_000;

let platform: WebPlatform;
let browser: Browser;

beforeAll(async () => {
  platform = await webPlatform("web_overload", [], tightLimit);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
}, 60_000);

/**
 * Another client at the buyer's address reading the API until `stop()`: it keeps the bucket
 * empty. Returns how many of its requests were refused 429, and the Retry-After values it saw.
 */
function otherClient() {
  let stopped = false;
  const refusals: number[] = [];
  const done = (async () => {
    const deadline = Date.now() + drainMsAtMost;
    for (let sent = 0; !stopped && sent < drainRequestsAtMost && Date.now() < deadline; sent++) {
      const response = await fetch(platform.url("/api/v1/categories"));
      await response.arrayBuffer();
      if (response.status === 429) {
        refusals.push(Number(response.headers.get("retry-after")));
        // Empty: ask again soon, so each token that refills is taken before the page gets it.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();
  return {
    refusals,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe("too many requests from the buyer's connection", () => {
  test("the event page says it tries again by itself in the Retry-After's seconds, and recovers when the limit refills", async () => {
    await atEachWidth(browser, platform.url(""), async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      const other = otherClient();
      try {
        // The other client has the bucket empty before the page asks.
        const emptyBy = Date.now() + drainMsAtMost;
        while (other.refusals.length === 0 && Date.now() < emptyBy) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(other.refusals.length).toBeGreaterThan(0);
        expect(other.refusals.every((seconds) => seconds >= 1)).toBe(true);

        await page.goto(platform.eventPath());
        // What happened, and what happens next with the Retry-After's seconds.
        await page
          .getByRole("alert")
          .filter({ hasText: /too many requests from your connection/ })
          .filter({ hasText: /We will try again by ourselves in \d+ seconds?; you need not reload the page\./ })
          .waitFor({ timeout: recoveredWithinMs });
        await screenshot(page, "rate-limited", width);
        await expectAccessible(page, `event page, rate limited (${width})`);
      } finally {
        await other.stop();
      }

      // The other client stopped: the limit refills and the page gets the event by itself, no reload.
      await page.getByRole("heading", { level: 1, name: platform.demoEventTitle }).waitFor({ timeout: recoveredWithinMs });
      await page.getByText("Standing", { exact: false }).first().waitFor({ timeout: recoveredWithinMs });
      await page.getByRole("alert").waitFor({ state: "detached", timeout: recoveredWithinMs });
      // The browser logs each refused read; nothing else went wrong.
      expectNoProblems([/status of 429/]);
    });
  }, 480_000);
});
