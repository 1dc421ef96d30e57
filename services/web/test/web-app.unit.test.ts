/**
 * The web app as production serves it: the kernel app (security headers, error envelope, health)
 * with the web plugin and an API route beside it, asked with app.handle(). The client is really
 * built (Bun's bundler, in memory); no stack is needed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { createHttpApp } from "@booking-rush/lib/http";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { Elysia } from "elysia";
import { createWebApp } from "../src/app";
import { matchPath, pagePatterns } from "../src/client/page-patterns";
import { buildClient } from "../src/client-build";
import { chooseEncoding } from "../src/encodings";
import { clientPages, immutableCache } from "../src/routes";

const logger = createLogger({ service: "web-test", level: "error", write: () => {} });
const web = createWebApp({ production: true }, logger);
// An API route beside the web app, as services/all mounts them.
const api = new Elysia({ name: "api-stub", prefix: "/api/v1" }).get("/events", () => ({ success: true, data: [] }));
const app = createHttpApp(
  {
    service: { name: "web-test", corsOrigins: "*" },
    logger,
    metrics: createMetrics("web-test"),
    readiness: { checks: {}, draining: false },
    notFoundPage: web.notFoundPage,
  },
  [api, web.routes],
);
const get = (path: string, init?: RequestInit) => app.handle(new Request(`http://web.test${path}`, init));

/** The asset paths index.html names (its <script> and stylesheet). */
async function assetPaths(): Promise<string[]> {
  const html = await (await get("/")).text();
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
}

const temporary: string[] = [];
afterAll(() => {
  for (const directory of temporary) rmSync(directory, { recursive: true, force: true });
});

describe("the web app", () => {
  test("every client page is index.html, not cached, with the strict CSP and the security headers", async () => {
    await web.ready();
    for (const path of [
      "/",
      "/login",
      "/register",
      "/logout",
      "/events",
      "/events/0b4c0a51-6f0e-4a44-9d3b-52f5b1a1c2d3",
      "/bookings/x/pay",
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control"), path).toBe("no-cache");
      expect(response.headers.get("content-security-policy"), path).toBe("default-src 'self'");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      const html = await response.text();
      expect(html, path).toContain('<div id="root"></div>');
    }
    expect(clientPages).toContain("/events/*");
  });

  test("every page of the client's router is served as index.html, and matches its own pattern", async () => {
    for (const pattern of pagePatterns) {
      const path = pattern.replaceAll(/:[A-Za-z]+/g, "0b4c0a51-6f0e-4a44-9d3b-52f5b1a1c2d3");
      expect(matchPath(pattern, path), pattern).not.toBeNull();
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
    }
    expect(matchPath("/events/:id", "/events/a%20b")).toEqual({ id: "a b" });
    expect(matchPath("/events/:id", "/events/a/b")).toBeNull();
    expect(matchPath("/", "/")).toEqual({});
  });

  test("index.html has no inline script or style: its script and stylesheet are files of ours under /assets/", async () => {
    const html = await (await get("/")).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style[\s>]/);
    expect(html).not.toMatch(/\bstyle="/);
    expect(html).not.toMatch(/https?:\/\//);
    const paths = await assetPaths();
    expect(paths.some((path) => path.endsWith(".js"))).toBe(true);
    expect(paths.some((path) => path.endsWith(".css"))).toBe(true);
    // The icon too: no request for /favicon.ico, which is no page of ours.
    expect(paths.some((path) => path.endsWith(".svg"))).toBe(true);
  });

  test("assets have hashed names, their content type and a year of immutable caching", async () => {
    const paths = await assetPaths();
    for (const path of paths) {
      expect(path).toMatch(/^\/assets\/[a-z0-9_.-]+-[a-z0-9]{8}\.(js|css|svg)$/);
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toBe(immutableCache);
      expect(response.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      const contentType = { js: "text/javascript", css: "text/css", svg: "image/svg+xml" }[path.slice(path.lastIndexOf(".") + 1)];
      expect(response.headers.get("content-type"), path).toStartWith(contentType!);
      expect(response.headers.get("content-security-policy"), path).toBe("default-src 'self'");
      expect((await response.arrayBuffer()).byteLength, path).toBeGreaterThan(0);
    }
  });

  test("the script, the stylesheet and index.html come compressed as Accept-Encoding allows, identity otherwise", async () => {
    const paths = ["/", "/events", ...(await assetPaths()).filter((path) => /\.(js|css)$/.test(path))];
    for (const path of paths) {
      const identity = await get(path, { headers: { "accept-encoding": "identity" } });
      const plain = new Uint8Array(await identity.arrayBuffer());
      expect(identity.headers.get("content-encoding"), path).toBeNull();
      expect(identity.headers.get("vary"), path).toBe("Accept-Encoding");
      expect(identity.headers.get("content-length"), path).toBe(String(plain.byteLength));
      // No Accept-Encoding at all: the bytes as they are.
      const bare = await get(path);
      expect(bare.headers.get("content-encoding"), path).toBeNull();
      expect(new Uint8Array(await bare.arrayBuffer()), path).toEqual(plain);

      const gzip = await get(path, { headers: { "accept-encoding": "gzip" } });
      const gzipped = new Uint8Array(await gzip.arrayBuffer());
      expect(gzip.headers.get("content-encoding"), path).toBe("gzip");
      expect(gzip.headers.get("vary"), path).toBe("Accept-Encoding");
      expect(gzip.headers.get("content-length"), path).toBe(String(gzipped.byteLength));
      expect(gzipped.byteLength, path).toBeLessThan(plain.byteLength);
      expect(Bun.gunzipSync(gzipped), path).toEqual(plain);

      // What a browser sends: brotli is preferred, and smaller still.
      const br = await get(path, { headers: { "accept-encoding": "gzip, deflate, br, zstd" } });
      const brotli = new Uint8Array(await br.arrayBuffer());
      expect(br.headers.get("content-encoding"), path).toBe("br");
      expect(br.headers.get("vary"), path).toBe("Accept-Encoding");
      expect(br.headers.get("content-length"), path).toBe(String(brotli.byteLength));
      expect(brotli.byteLength, path).toBeLessThanOrEqual(gzipped.byteLength);
      expect(new Uint8Array(brotliDecompressSync(brotli)), path).toEqual(plain);
      // The caching stays what the file's kind says.
      expect(br.headers.get("cache-control"), path).toBe(path.startsWith("/assets/") ? immutableCache : "no-cache");
    }
    // The not-found page a browser gets is index.html too, compressed the same way.
    const missing = await get("/no-such-page", { headers: { accept: "text/html", "accept-encoding": "gzip" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-encoding")).toBe("gzip");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await missing.arrayBuffer())))).toContain('<div id="root"></div>');
  });

  test("the encoding follows the client's q-values; a refused or unknown coding is never sent", () => {
    const both = ["br", "gzip"] as const;
    expect(chooseEncoding(null, [...both])).toBeUndefined();
    expect(chooseEncoding("", [...both])).toBeUndefined();
    expect(chooseEncoding("identity", [...both])).toBeUndefined();
    expect(chooseEncoding("deflate, zstd", [...both])).toBeUndefined();
    expect(chooseEncoding("gzip", [...both])).toBe("gzip");
    expect(chooseEncoding("GZIP, BR", [...both])).toBe("br");
    expect(chooseEncoding("br;q=0.5, gzip;q=0.8", [...both])).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip", [...both])).toBe("gzip");
    expect(chooseEncoding("gzip;q=0, br;q=0", [...both])).toBeUndefined();
    expect(chooseEncoding("*", [...both])).toBe("br");
    expect(chooseEncoding("br;q=0, *", [...both])).toBe("gzip");
    expect(chooseEncoding("*;q=0", [...both])).toBeUndefined();
    expect(chooseEncoding("br", ["gzip"])).toBeUndefined();
    expect(chooseEncoding("gzip;q=nonsense", [...both])).toBeUndefined();
  });

  test("the production build is minified with React's production build", async () => {
    const script = (await assetPaths()).find((path) => path.endsWith(".js"))!;
    const code = await (await get(script)).text();
    expect(code).not.toContain("react.development");
    expect(code.split("\n").length).toBeLessThan(50);
  });

  test("an unknown asset is the 404 envelope, and so is an unknown page", async () => {
    for (const path of ["/assets/main-00000000.js", "/assets/", "/nope", "/events-and-more"]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
  });

  test("a browser asking for a page the app does not have gets the app (404), to show its own not-found page", async () => {
    const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
    const page = await get("/no-such-page", { headers: html });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect(await page.text()).toContain('<div id="root"></div>');
    // Not for the API, an asset, the kernel's paths, another method or a client that wants JSON.
    const cases: [string, RequestInit][] = [
      ["/api/v1/no-such-route", { headers: html }],
      ["/api", { headers: html }],
      ["/assets/main-00000000.js", { headers: html }],
      ["/openapi/nope", { headers: html }],
      ["/no-such-page", { headers: html, method: "DELETE" }],
      ["/no-such-page", { headers: { accept: "application/json" } }],
    ];
    for (const [path, init] of cases) {
      const response = await get(path, init);
      expect(response.status, `${init.method ?? "GET"} ${path}`).toBe(404);
      expect(await response.json(), path).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
  });

  test("API, health, readiness, metrics and OpenAPI paths are not shadowed by the app", async () => {
    const events = await get("/api/v1/events");
    expect(events.status).toBe(200);
    expect(await events.json()).toEqual({ success: true, data: [] });
    const unknownApi = await get("/api/v1/no-such-route");
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get("content-type")).toStartWith("application/json");
    const postToApi = await get("/api/v1/no-such-route", { method: "POST" });
    expect(postToApi.status).toBe(404);
    expect((await get("/healthz")).headers.get("content-type")).toStartWith("application/json");
    expect((await get("/readyz")).status).toBe(200);
    expect(await (await get("/metrics")).text()).toContain("# TYPE");
    const openapi = (await (await get("/openapi/json")).json()) as { paths: Record<string, unknown> };
    // The pages are not part of the REST contract.
    expect(Object.keys(openapi.paths).filter((path) => !path.startsWith("/api/") && !["/healthz", "/readyz"].includes(path))).toEqual([]);
  });

  test("a page asked with another method is 405 with Allow, not the app", async () => {
    const response = await get("/login", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("GET");
  });

  test("a client that does not build fails with the bundler's message", async () => {
    const directory = mkdtempSync(join(tmpdir(), "web-build-"));
    temporary.push(directory);
    const entry = join(directory, "index.html");
    writeFileSync(entry, '<!doctype html><html><body><script type="module" src="./missing.tsx"></script></body></html>');
    await expect(buildClient({ production: false }, entry)).rejects.toThrow(/the web client did not build: .*missing/);
  });
});
