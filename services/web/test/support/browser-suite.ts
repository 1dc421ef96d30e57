/**
 * One browser test file's platform and browser: `browserSuite` registers the file's beforeAll that
 * starts both (webPlatform with its workers and settings, then chromium) and its afterAll that
 * closes both, and returns the suite, whose `platform` and `browser` are set once started: read
 * them in tests and hooks, not at the file's top level. A file's own beforeAll, registered after,
 * runs after them.
 */
import { afterAll, beforeAll } from "bun:test";
import type { PlatformWorker } from "@booking-rush/test-support/seeded-platform";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { atEachWidth, inContext, launchBrowser, logIn, openContext, openPage, type ViewportName } from "./browser";
import { buyerPassword, type WebPlatform, webPlatform } from "./web-platform";

/** A fresh database, services/all, the workers and chromium, on a loaded machine. */
const startTimeoutMs = 240_000;
const closeTimeoutMs = 60_000;

export interface BrowserSuite {
  platform: WebPlatform;
  browser: Browser;
  /** A fresh context at `width` with the platform as its base URL (openContext); the caller closes it. */
  openContext(width: ViewportName, storageState?: BrowserContextOptions["storageState"]): Promise<BrowserContext>;
  /** A fresh context at `width` for `run`, closed afterwards whatever happens. */
  inContext(width: ViewportName, run: (context: BrowserContext) => Promise<void>): Promise<void>;
  /** Each width in turn, a fresh context each (atEachWidth). */
  atEachWidth(run: (context: BrowserContext, width: ViewportName) => Promise<void>): Promise<void>;
  /**
   * A buyer registered through the API (`name`), logged in through the form in a fresh context at
   * `width`: the buyer, the context (the caller closes it) and its page (openPage).
   */
  signedInBuyer(name: string, width: ViewportName): Promise<SignedInBuyer>;
}

export type SignedInBuyer = Awaited<ReturnType<typeof openPage>> & {
  buyer: { email: string; token: string };
  context: BrowserContext;
};

/** `workers` and `env` as webPlatform takes them. */
export function browserSuite(label: string, workers: PlatformWorker[] = [], env: Record<string, string> = {}): BrowserSuite {
  const suite = {
    openContext: (width, storageState) => openContext(suite.browser, suite.platform.url(""), width, storageState),
    inContext: (width, run) => inContext(suite.browser, suite.platform.url(""), width, run),
    atEachWidth: (run) => atEachWidth(suite.browser, suite.platform.url(""), run),
    async signedInBuyer(name, width) {
      const buyer = await suite.platform.buyer(name);
      const context = await suite.openContext(width);
      const opened = await openPage(context);
      await logIn(opened.page, buyer.email, buyerPassword);
      return { ...opened, buyer, context };
    },
  } as BrowserSuite;

  beforeAll(async () => {
    suite.platform = await webPlatform(label, workers, env);
    suite.browser = await launchBrowser();
  }, startTimeoutMs);

  afterAll(async () => {
    await suite.browser?.close();
    await suite.platform?.close();
  }, closeTimeoutMs);

  return suite;
}
