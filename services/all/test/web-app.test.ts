/**
 * The development process (`bash scripts/run`) serves the web app beside every API: a real
 * services/all process on the local stack with a fresh seeded database. The app's pages and
 * assets answer, /readyz waits for the client's build, and the API's routes, its 404s and the
 * OpenAPI document are what they were without the app.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createFreshDatabase, type FreshDatabase } from "@booking-rush/test-support/fresh-database";
import { spawnWorker } from "@booking-rush/test-support/worker-process";

const root = join(import.meta.dir, "..", "..", "..");
const jwtSecret = "web-app-test-signing-secret-0123456789abcdef";

let database: FreshDatabase;
let platform: ReturnType<typeof spawnWorker>;

beforeAll(async () => {
  database = await createFreshDatabase("web_app");
  const seeded = Bun.spawnSync([process.execPath, "run", join(root, "scripts/seed.ts")], {
    env: { ...process.env, DATABASE_URL: database.url, JWT_SECRET: jwtSecret, DEMO_PASSWORD: "web-app-demo-password" },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (seeded.exitCode !== 0) throw new Error(`seed failed: ${seeded.stderr.toString()}`);
  platform = spawnWorker("all/bin/all.ts", {
    DATABASE_URL: database.url,
    JWT_SECRET: jwtSecret,
    QUEUE_PASS_SECRET: "web-app-test-queue-pass-secret-0123456789abcdef",
    LOG_LEVEL: "error",
  });
  await platform.ready();
}, 120_000);

afterAll(async () => {
  platform?.child.kill("SIGTERM");
  await platform?.child.exited;
  await database?.drop();
}, 60_000);

test("the app is at / with its assets, and /readyz counts its build", async () => {
  const ready = (await (await fetch(platform.url("/readyz"))).json()) as { data: { checks: Record<string, string> } };
  expect(ready.data.checks.web_client).toBe("up");
  const home = await fetch(platform.url("/"));
  expect(home.status).toBe(200);
  expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(home.headers.get("content-security-policy")).toBe("default-src 'self'");
  const html = await home.text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
  // The script, the stylesheet and the icon.
  expect(assets.length).toBe(3);
  for (const asset of assets) {
    const response = await fetch(platform.url(asset));
    expect(response.status, asset).toBe(200);
    expect(response.headers.get("cache-control"), asset).toBe("public, max-age=31536000, immutable");
  }
});

test("the APIs beside it answer as before: the seeded event, an unknown /api path, a page's twin under /api", async () => {
  const events = await fetch(platform.url("/api/v1/events"));
  expect(events.status).toBe(200);
  const listed = (await events.json()) as { success: boolean; data: { title: string }[] };
  expect(listed.success).toBe(true);
  expect(listed.data.length).toBeGreaterThan(0);
  for (const path of ["/api/v1/no-such-route", "/api/v1/login", "/api/v1/assets/x.js", "/api"]) {
    const response = await fetch(platform.url(path));
    expect(response.status, path).toBe(404);
    expect(await response.json(), path).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  }
  const openapi = (await (await fetch(platform.url("/openapi/json"))).json()) as { paths: Record<string, unknown> };
  expect(Object.keys(openapi.paths).filter((path) => path === "/" || path.startsWith("/assets") || path === "/events")).toEqual([]);
});

test("a browser's unknown page is the app with status 404 (its not-found page), an unknown /api path the envelope", async () => {
  const accept = { accept: "text/html" };
  const page = await fetch(platform.url("/no-such-page"), { headers: accept });
  expect(page.status).toBe(404);
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await page.text()).toContain('<div id="root"></div>');
  const api = await fetch(platform.url("/api/v1/no-such-route"), { headers: accept });
  expect(api.status).toBe(404);
  expect(await api.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
});
