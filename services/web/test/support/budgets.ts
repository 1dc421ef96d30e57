/**
 * The web app's budgets (issue 18, figures in the README): what the browser downloads for a page's
 * JavaScript, and Lighthouse's performance and accessibility scores.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { browserArgs, chromiumPath, logIn } from "./browser";

const root = join(import.meta.dir, "..", "..", "..", "..");

export interface ScriptBytes {
  url: string;
  /** The body's bytes on the wire, as the server sent them (compressed when it compressed them). */
  transferred: number;
  /** The decoded body gzipped (level 9), so the budget reads the same whether or not the server compresses. */
  gzipped: number;
}

/**
 * Records every script the page downloads from now on (the entry, its chunks, anything loaded
 * later). Call before navigating; `scripts()` returns what arrived so far.
 */
export function recordScripts(page: Page) {
  const pending: Promise<ScriptBytes>[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script") return;
    pending.push(
      (async () => {
        const body = await response.body();
        const sizes = await response.request().sizes();
        return {
          url: response.url(),
          transferred: sizes.responseBodySize,
          gzipped: Bun.gzipSync(new Uint8Array(body), { level: 9 }).length,
        };
      })(),
    );
  });
  return { scripts: () => Promise.all(pending) };
}

export interface LighthouseScores {
  performance: number;
  accessibility: number;
  /** Every URL the page requested during the run (Lighthouse's network-requests audit). */
  requested: string[];
  /** Lighthouse's warnings about the run itself (e.g. the page never went quiet). */
  warnings: string[];
  report: string;
}

export interface LighthouseOptions {
  /**
   * A chromium profile to run in, its storage kept (`--disable-storage-reset`): a page that needs
   * a signed-in buyer gets one signed in there beforehand (signedInProfile).
   */
  profile?: string;
  /**
   * How long Lighthouse waits for the page to go quiet (default 60 s). A page that holds a stream
   * open (the waiting room's place, pushed over /queue/stream) never does: Lighthouse then measures
   * what loaded by this limit and says so in a run warning.
   */
  maxWaitForLoadMs?: number;
}

/**
 * One Lighthouse run (its defaults: a phone, simulated slow 4G and a 4x slower CPU) against `url`,
 * in Debian's chromium, the JSON report kept under .stack/lighthouse/. Lighthouse 12 runs on Node
 * (its CLI is a Node program; Node is on every machine, scripts/bun installs Bun with it).
 */
export async function lighthouse(url: string, name: string, options: LighthouseOptions = {}): Promise<LighthouseScores> {
  const directory = join(root, ".stack", "lighthouse");
  mkdirSync(directory, { recursive: true });
  const report = join(directory, `${name}.json`);
  // chromium takes the last of a repeated switch: this --user-data-dir wins over Lighthouse's own.
  const chromeFlags = [
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    ...(options.profile ? [`--user-data-dir=${options.profile}`] : []),
  ];
  const run = Bun.spawn(
    [
      "node",
      join(root, "node_modules", "lighthouse", "cli", "index.js"),
      url,
      "--quiet",
      "--output=json",
      `--output-path=${report}`,
      "--only-categories=performance,accessibility",
      `--chrome-flags=${chromeFlags.join(" ")}`,
      `--max-wait-for-load=${options.maxWaitForLoadMs ?? 60_000}`,
      ...(options.profile ? ["--disable-storage-reset"] : []),
    ],
    { env: { ...process.env, CHROME_PATH: chromiumPath() }, stdout: "pipe", stderr: "pipe", timeout: 180_000 },
  );
  const [exitCode, stderr] = await Promise.all([run.exited, new Response(run.stderr).text()]);
  if (exitCode !== 0) throw new Error(`lighthouse exited with ${exitCode}: ${stderr.slice(-4_000)}`);
  const result = JSON.parse(readFileSync(report, "utf8")) as {
    runtimeError?: { message: string };
    runWarnings?: string[];
    categories: Record<"performance" | "accessibility", { score: number | null }>;
    audits: Record<string, { details?: { items?: { url?: string }[] } }>;
  };
  if (result.runtimeError) throw new Error(`lighthouse: ${result.runtimeError.message}`);
  const score = (category: "performance" | "accessibility") => Math.round((result.categories[category].score ?? 0) * 100);
  const requested = (result.audits["network-requests"]?.details?.items ?? []).flatMap((item) => (item.url ? [item.url] : []));
  return {
    performance: score("performance"),
    accessibility: score("accessibility"),
    requested,
    warnings: result.runWarnings ?? [],
    report,
  };
}

/** The figures of a run as the CI log shows them (a `budget:` line each). */
export function scoresLine(page: string, scores: LighthouseScores): string {
  const warnings = scores.warnings.length > 0 ? `; Lighthouse warned: ${scores.warnings.join(" ")}` : "";
  return `budget: ${page} Lighthouse performance ${scores.performance}, accessibility ${scores.accessibility} (${scores.report}${warnings})`;
}

/**
 * A chromium profile (under .stack/lighthouse/) in which the buyer logged in through the app's
 * own form, for a Lighthouse run of a page that needs a signed-in buyer. The caller removes it.
 */
export async function signedInProfile(baseURL: string, email: string, password: string): Promise<string> {
  const parent = join(root, ".stack", "lighthouse");
  mkdirSync(parent, { recursive: true });
  const profile = mkdtempSync(join(parent, "profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: browserArgs,
    baseURL,
  });
  try {
    await logIn(await context.newPage(), email, password);
  } finally {
    await context.close();
  }
  return profile;
}
