/**
 * bin/web.ts as it is deployed: a real process with its default (production) build, ready once
 * its client is built, serving the app and its assets with the kernel's headers, and stopping
 * cleanly on SIGTERM. Needs no stack: the web app depends on nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnWorker } from "@booking-rush/test-support/worker-process";

let web: ReturnType<typeof spawnWorker>;
beforeAll(async () => {
  web = spawnWorker("web/bin/web.ts", { SERVICE_NAME: "web" });
  await web.ready();
}, 60_000);
afterAll(async () => {
  if (web && web.child.exitCode === null) {
    web.child.kill("SIGTERM");
    await web.child.exited;
  }
});

test("ready once the client is built: /readyz names the client check", async () => {
  const ready = await fetch(web.url("/readyz"));
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ success: true, data: { status: "ready", checks: { client: "up" } } });
});

test("serves index.html on a page and its minified assets, immutable, under the strict CSP", async () => {
  const page = await fetch(web.url("/events/0b4c0a51-6f0e-4a44-9d3b-52f5b1a1c2d3"));
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toBe("default-src 'self'");
  expect(page.headers.get("cache-control")).toBe("no-cache");
  const html = await page.text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(web.url(script!));
  expect(asset.status).toBe(200);
  expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  expect(asset.headers.get("content-type")).toStartWith("text/javascript");
  const code = await asset.text();
  expect(code).not.toContain("react.development");
  // The event page's budget is 150 KB gzipped for all its JavaScript; the app is one bundle.
  expect(Bun.gzipSync(new TextEncoder().encode(code)).byteLength).toBeLessThan(150 * 1024);
});

test("the kernel's own endpoints are its, and an /api path it does not serve is the 404 envelope", async () => {
  expect(await (await fetch(web.url("/metrics"))).text()).toContain('service="web"');
  const api = await fetch(web.url("/api/v1/events"));
  expect(api.status).toBe(404);
  expect(await api.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
});

test("a browser's unknown page is the app with status 404 (its not-found page), an unknown /api path the envelope", async () => {
  const accept = { accept: "text/html" };
  const page = await fetch(web.url("/no-such-page"), { headers: accept });
  expect(page.status).toBe(404);
  expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(await page.text()).toContain('<div id="root"></div>');
  const api = await fetch(web.url("/api/v1/no-such-route"), { headers: accept });
  expect(api.status).toBe(404);
  expect(await api.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
});

test("SIGTERM stops it cleanly", async () => {
  web.child.kill("SIGTERM");
  expect(await web.child.exited).toBe(0);
});
