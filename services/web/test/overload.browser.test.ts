/**
 * A 429 in a real browser tells the buyer what happens next, and the page gets over it by itself:
 * a platform of its own with a tiny per-client API limit (API_RATE_*: a few requests at once, one
 * more every two seconds), a second client at the same address (this test, as a buyer's household
 * behind one router would) spending the bucket while the buyer opens the event page. The page's
 * reads are refused with Retry-After for real; the page says it will try again by itself in that
 * many seconds (not a blank page, not a bare error), and once the other client stops, the limit
 * refills and the page shows the event and its zones without a reload. Axe-clean and photographed
 * at both widths while the message is up.
 *
 * And a 503 from a part that is down: the platform's own payment gateway (the mock server this
 * test owns, nothing shared) failing every call while the buyer confirms a refund. The refund is
 * answered 503 for real; the form says nothing was changed and stays, to send again; nothing was
 * refunded; once the gateway is back, the same button refunds.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { atEachWidth, expectAccessible, launchBrowser, logIn, openPage, screenshot } from "./support/browser";
import { buyerPassword, type WebPlatform, webPlatform } from "./support/web-platform";

/** One token every two seconds, four at once: the page's own polling (one read per 5 s) stays well inside it. */
const tightLimit = { API_RATE_PER_MINUTE: "30", API_RATE_BURST: "4" };
/** The other client's spending is bounded in requests and in time. */
const drainRequestsAtMost = 2_000;
const drainMsAtMost = 90_000;
/** Recovery: the bucket refills within seconds; a loaded machine is slower to render. */
const recoveredWithinMs = 60_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
}, 60_000);

/**
 * Another client at the buyer's address reading the API until `stop()`: it keeps the bucket
 * empty. Returns how many of its requests were refused 429, and the Retry-After values it saw.
 */
function otherClient(platform: WebPlatform) {
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
  let platform: WebPlatform;
  beforeAll(async () => {
    platform = await webPlatform("web_overload", [], tightLimit);
  }, 240_000);
  afterAll(() => platform?.close(), 60_000);

  test("the event page says it tries again by itself in the Retry-After's seconds, and recovers when the limit refills", async () => {
    await atEachWidth(browser, platform.url(""), async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      const other = otherClient(platform);
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

/** Charge, saga, projection: seconds, more on a loaded machine. */
const settledWithinMs = 90_000;

describe("a part of the platform down: the payment gateway", () => {
  let platform: WebPlatform;
  beforeAll(async () => {
    platform = await webPlatform("web_gateway_down", ["outbox-relay", "payment-worker", "payment-saga", "projector"]);
  }, 240_000);
  afterAll(() => platform?.close(), 60_000);

  test("a refund answered 503 says nothing was changed and keeps the form; sent again once the gateway is back, it refunds", async () => {
    await atEachWidth(browser, platform.url(""), async (context, width) => {
      const buyer = await platform.confirmedBuyer(`gateway-down-${width}`, settledWithinMs);
      const { page, expectNoProblems } = await openPage(context);
      await logIn(page, buyer.email, buyerPassword);
      await page.getByRole("link", { name: "My bookings" }).click();
      const item = page.getByRole("main").getByRole("listitem");
      await item.getByRole("heading", { name: "2 tickets · Confirmed" }).waitFor();
      await item.getByRole("button", { name: "Ask for a refund" }).click();
      const panel = item.getByRole("region", { name: "Refund" });
      const confirm = panel.getByRole("button", { name: /^Refund .+ and cancel my tickets$/ });
      await confirm.waitFor();

      // Every call to the gateway fails (503) from now on: the refund cannot be made.
      platform.gateway.knobs.failNext = 1_000;
      try {
        await confirm.click();
        await panel
          .getByRole("alert")
          .filter({ hasText: "We could not finish that just now and nothing was changed. Please try again" })
          .waitFor({ timeout: settledWithinMs });
        // The form stays, to send again; nothing was refunded.
        expect(await confirm.isEnabled()).toBe(true);
        await item.getByRole("heading", { name: "2 tickets · Confirmed" }).waitFor();
        const payment = await platform.api("GET", `/payments/${buyer.paymentId}`, buyer.token);
        expect(payment.body.data.status).toBe("succeeded");
        // Nothing refunded: the refund waits, processing, to be repeated under the same idempotency key.
        expect(payment.body.data.refund).toMatchObject({ status: "processing" });
        await screenshot(page, "service-unavailable", width);
        await expectAccessible(page, `refund refused 503 (${width})`);
      } finally {
        platform.gateway.knobs.failNext = 0;
      }

      // The gateway is back: the same button refunds.
      await confirm.click();
      await item.getByRole("heading", { name: "2 tickets · Refunded" }).waitFor({ timeout: settledWithinMs });
      expect((await platform.api("GET", `/payments/${buyer.paymentId}`, buyer.token)).body.data.status).toBe("refunded");
      // The browser logs the refused POST; nothing else went wrong.
      expectNoProblems([/status of 503/]);
    });
  }, 480_000);
});
