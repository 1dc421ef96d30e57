/**
 * The web app's budgets, checked on the platform as scripts/run serves it (the production build):
 * the event page's JavaScript at most 150 KB gzipped, as the browser downloads it (entry and every
 * chunk the page loads), and Lighthouse performance ≥ 90 and accessibility ≥ 95 on the event page
 * and on the waiting room (a signed-in buyer in line).
 * Each figure is printed, so the CI log carries them for the README.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Browser } from "playwright-core";
import { launchBrowser, openContext, openPage } from "./support/browser";
import { lighthouse, recordScripts, scoresLine, signedInProfile } from "./support/budgets";
import { buyerPassword, type WebPlatform, webPlatform } from "./support/web-platform";

const javaScriptBudgetBytes = 150 * 1024;

let platform: WebPlatform;
let browser: Browser;

beforeAll(async () => {
  platform = await webPlatform("web_budgets");
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
}, 60_000);

describe("the event page's budgets", () => {
  test("its JavaScript is at most 150 KB gzipped", async () => {
    const context = await openContext(browser, platform.url(""), "phone");
    try {
      const { page, expectNoProblems } = await openPage(context);
      const recorded = recordScripts(page);
      await page.goto(platform.eventPath());
      await page.getByRole("heading", { level: 1, name: platform.demoEventTitle }).waitFor();
      await page.waitForLoadState("load");
      const scripts = await recorded.scripts();
      const gzipped = scripts.reduce((sum, script) => sum + script.gzipped, 0);
      const transferred = scripts.reduce((sum, script) => sum + script.transferred, 0);
      console.log(
        `budget: event page JavaScript ${(gzipped / 1024).toFixed(1)} KB gzipped (${(transferred / 1024).toFixed(1)} KB on the wire, ` +
          `${scripts.length} file(s)); budget ${javaScriptBudgetBytes / 1024} KB`,
      );
      expect(scripts.length).toBeGreaterThan(0);
      expect(gzipped).toBeLessThanOrEqual(javaScriptBudgetBytes);
      expectNoProblems();
    } finally {
      await context.close();
    }
  }, 120_000);

  test("Lighthouse: performance at least 90, accessibility at least 95", async () => {
    const scores = await lighthouse(platform.url(platform.eventPath()), "event-page");
    console.log(scoresLine("event page", scores));
    expect(scores.performance).toBeGreaterThanOrEqual(90);
    expect(scores.accessibility).toBeGreaterThanOrEqual(95);
  }, 240_000);
});

describe("the waiting room's budgets", () => {
  test("Lighthouse: performance at least 90, accessibility at least 95, for a buyer in line", async () => {
    // The organizer turns the waiting room on. No queue admitter runs here, so the buyer stays in line.
    const organizer = await platform.api("POST", "/auth/login", null, {
      email: platform.demo.organizer.email,
      password: platform.demoPassword,
    });
    expect(organizer.status).toBe(200);
    const queued = await platform.api("PUT", `/events/${platform.demo.event_id}`, organizer.body.data.tokens.access_token, {
      queue_enabled: true,
      queue_rate_per_minute: 60,
    });
    expect(queued.status).toBe(200);
    const buyer = await platform.buyer("waiting");
    const profile = await signedInProfile(platform.url(""), buyer.email, buyerPassword);
    try {
      // The page keeps its place's stream open, so it never goes quiet: 20 s is plenty for it to load.
      const scores = await lighthouse(platform.url(`/queue/${platform.demo.event_id}`), "waiting-room", {
        profile,
        maxWaitForLoadMs: 20_000,
      });
      console.log(scoresLine("waiting room", scores));
      // Lighthouse measured the real waiting room: the page joined the line as the signed-in buyer.
      expect(scores.requested.some((url) => url.endsWith("/api/v1/queue/join"))).toBe(true);
      expect(scores.performance).toBeGreaterThanOrEqual(90);
      expect(scores.accessibility).toBeGreaterThanOrEqual(95);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 240_000);
});
