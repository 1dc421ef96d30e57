/**
 * A real browser for the web app's tests: Debian's chromium (scripts/browser installs it;
 * scripts/test exports its path as CHROMIUM_PATH) driven by playwright-core from the test's own Bun
 * process, headless, `--no-sandbox` because CI runs as root (chromium refuses its sandbox to root).
 * Pages open at the two widths every page must work at; each page can be checked with axe and
 * photographed into .stack/screenshots/ (git-ignored, kept by CI as artifacts); two of those are
 * the README's pictures too (readmeImages).
 */
import { expect } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";

const root = join(import.meta.dir, "..", "..", "..", "..");
export const screenshotsDirectory = join(root, ".stack", "screenshots");

/** The widths every page is checked at: a laptop, and a phone (an iPhone X/11 Pro's CSS pixels). */
export const viewports = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  phone: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} as const;

export type ViewportName = keyof typeof viewports;
export const viewportNames = Object.keys(viewports) as ViewportName[];

/** How long one Playwright action or wait may take: generous, the machine is shared and loaded. */
const actionTimeoutMs = 30_000;

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH;
  if (!path)
    throw new Error("CHROMIUM_PATH is not set: run the browser tests through scripts/test (it installs chromium with scripts/browser)");
  return path;
}

/** Root has no sandbox (chromium refuses to start one as root); /dev/shm in a container can be tiny. */
export const browserArgs = ["--no-sandbox", "--disable-dev-shm-usage"];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: browserArgs, timeout: 60_000 });
}

/**
 * A fresh context at one of the widths, with the platform as its base URL: no cookies, no storage,
 * unless `storageState` (another context's, say, to be signed in as it is).
 */
export async function openContext(
  browser: Browser,
  baseURL: string,
  width: ViewportName,
  storageState?: BrowserContextOptions["storageState"],
): Promise<BrowserContext> {
  const context = await browser.newContext({
    ...viewports[width],
    baseURL,
    locale: "en-GB",
    timezoneId: "UTC",
    ...(storageState ? { storageState } : {}),
  });
  context.setDefaultTimeout(actionTimeoutMs);
  context.setDefaultNavigationTimeout(actionTimeoutMs);
  return context;
}

/**
 * A page that fails its test on anything the app logs as an error or throws: a console error, an
 * uncaught exception, a request the browser could not make (a CSP refusal shows up as a console
 * error). `problems()` lists them; `expectNoProblems()` asserts there were none but those a test
 * caused on purpose (`expected`: e.g. the console line of a refused login's 401).
 */
export async function openPage(context: BrowserContext) {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()} (${message.location().url || "no location"})`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) => {
    // A stream the page closes on navigation is aborted by the browser, by design.
    if (request.failure()?.errorText === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  return {
    page,
    problems: () => [...problems],
    expectNoProblems: (expected: RegExp[] = []) =>
      expect(problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)))).toEqual([]),
  };
}

/**
 * Runs axe on the page as it is now and fails on any serious or critical violation, listing each
 * with its rule, help text and the elements it found.
 */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const blocking = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
    }));
  expect({ page: what, violations: blocking }).toEqual({ page: what, violations: [] });
}

/**
 * The README's pictures (its quick start): these screenshots at desktop width are also written to
 * docs/images/<name>.png, the window only (not the whole page) so they stay small, and committed
 * as the last run of their tests took them (waiting-room.browser.test.ts, seat-race.browser.test.ts).
 */
export const readmeImages = ["waiting-room", "seat-map"] as const;
export const readmeImagesDirectory = join(root, "docs", "images");

/** The whole page as a PNG: .stack/screenshots/<name>-<width>.png (and a README picture, above). Returns the path. */
export async function screenshot(page: Page, name: string, width: ViewportName): Promise<string> {
  mkdirSync(screenshotsDirectory, { recursive: true });
  const path = join(screenshotsDirectory, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  if (width === "desktop" && (readmeImages as readonly string[]).includes(name)) {
    mkdirSync(readmeImagesDirectory, { recursive: true });
    await page.screenshot({ path: join(readmeImagesDirectory, `${name}.png`), animations: "disabled" });
  }
  return path;
}

/** A fresh context at `width` for `run`, closed afterwards whatever happens. */
export async function inContext(browser: Browser, baseURL: string, width: ViewportName, run: (context: BrowserContext) => Promise<void>) {
  const context = await openContext(browser, baseURL, width);
  try {
    await run(context);
  } finally {
    await context.close();
  }
}

/** Each width in turn: a fresh context at that width, closed afterwards whatever happens. */
export async function atEachWidth(browser: Browser, baseURL: string, run: (context: BrowserContext, width: ViewportName) => Promise<void>) {
  for (const width of viewportNames) await inContext(browser, baseURL, width, (context) => run(context, width));
}

/** Logs the buyer in through the app's own form, and waits until the header shows them signed in. */
export async function logIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  const form = page.getByRole("form", { name: "Log in" });
  await form.getByLabel("E-mail").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("link", { name: "Log out" }).waitFor();
}

/**
 * Holds `quantity` tickets of a general-admission zone from the form the page shows (the event page,
 * or the zones after the waiting room), and waits for checkout with its countdown: the booking's id.
 */
export async function holdTickets(page: Page, zone: string, quantity: number): Promise<string> {
  const hold = page.getByRole("form", { name: `Hold tickets in ${zone}` });
  await hold.getByLabel("Tickets").fill(String(quantity));
  await hold.getByRole("button", { name: "Hold tickets" }).click();
  await page.waitForURL("**/checkout/*");
  await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
  await page.getByRole("timer").waitFor();
  return new URL(page.url()).pathname.split("/").pop()!;
}
