/**
 * The web app's budgets, checked on the platform as scripts/run serves it (the production build):
 * the event page's JavaScript at most 150 KB gzipped, as the browser downloads it (entry and every
 * chunk the page loads), and Lighthouse performance ≥ 90 and accessibility ≥ 95 on the event page
 * and on the waiting room (a signed-in buyer in line).
 * Each figure is printed, so the CI log carries them for the README.
 */
import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { openPage } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { lighthouse, recordScripts, scoresLine, signedInProfile } from "./support/budgets";
import { buyerPassword } from "./support/web-platform";

const javaScriptBudgetBytes = 150 * 1024;

const suite = browserSuite("web_budgets");

describe("the event page's budgets", () => {
  test("its JavaScript is at most 150 KB gzipped", async () => {
    await suite.inContext("phone", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      const recorded = recordScripts(page);
      await page.goto(suite.platform.eventPath());
      await page.getByRole("heading", { level: 1, name: suite.platform.demoEventTitle }).waitFor();
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
    });
  }, 120_000);

  test("Lighthouse: performance at least 90, accessibility at least 95", async () => {
    const scores = await lighthouse(suite.platform.url(suite.platform.eventPath()), "event-page");
    console.log(scoresLine("event page", scores));
    expect(scores.performance).toBeGreaterThanOrEqual(90);
    expect(scores.accessibility).toBeGreaterThanOrEqual(95);
  }, 240_000);
});

describe("the waiting room's budgets", () => {
  test("Lighthouse: performance at least 90, accessibility at least 95, for a buyer in line", async () => {
    // The organizer turns the waiting room on. No queue admitter runs here, so the buyer stays in line.
    await suite.platform.turnQueueOn({ queue_rate_per_minute: 60 });
    const buyer = await suite.platform.buyer("waiting");
    const profile = await signedInProfile(suite.platform.url(""), buyer.email, buyerPassword);
    try {
      // The page keeps its place's stream open, so it never goes quiet: 20 s is plenty for it to load.
      const scores = await lighthouse(suite.platform.url(`/queue/${suite.platform.demo.event_id}`), "waiting-room", {
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
