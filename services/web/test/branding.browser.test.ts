/**
 * A tenant's branding in a real browser: the demo admin, logged in through the form, sets the
 * colours and uploads a small PNG logo on the branding page; a buyer opening the tenant's event
 * page then sees its name, the logo loaded and the main colour on the header, and its seat map
 * and waiting room carry the same; a page of no tenant keeps the app's own colour. A main colour
 * white text cannot be read on gets the human message and changes nothing (the API agrees); an
 * organizer reads the branding without a way to change it. axe-clean and photographed at both
 * widths.
 */
import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { eventually } from "@booking-rush/test-support/eventually";
import type { Page } from "playwright-core";
import { expectAccessible, logIn, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";

const suite = browserSuite("web_branding");

/** A real PNG (8-bit RGB, one colour) of `width` × `height`: signature, IHDR, IDAT, IEND, each with its CRC. */
function solidPng(width: number, height: number, [red, green, blue]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Uint8Array) => {
    const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(Bun.hash.crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  // Each row: filter byte 0, then its pixels.
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [red, green, blue]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

const tenantName = "Demo Live";
const chosen = { primary: "#14532d", accent: "#be123c" };
/** "#14532d" as getComputedStyle reports a colour. */
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((offset) => Number.parseInt(hex.slice(offset, offset + 2), 16)).join(", ")})`;

async function tenantView() {
  const view = await suite.platform.api("GET", `/tenants/${suite.platform.demo.tenant.id}`, null);
  expect(view.status).toBe(200);
  return view.body.data as { name: string; branding: { primary_color: string; accent_color: string; logo_url: string | null } };
}

/**
 * What the browser computes, asked as expressions: the test's own TypeScript has no DOM types
 * (Bun's), so page code is written as strings here, and waited for from here (waitForFunction
 * with a string is an eval, which the app's CSP refuses).
 */
const computed = (page: Page, expression: string) => page.evaluate<string>(expression);
const until = (page: Page, expression: string, expected: string) =>
  eventually(async () => expect(await computed(page, expression)).toBe(expected), { timeoutMs: 30_000, intervalMs: 100 });
const headerColour = (page: Page) => computed(page, `getComputedStyle(document.querySelector(".site-header")).backgroundColor`);
/** Waits until the document's --brand is `colour` (the tenant's view arrives after the event). */
const brandBecomes = (page: Page, colour: string) =>
  until(page, `getComputedStyle(document.documentElement).getPropertyValue("--brand").trim()`, colour);

async function openBrandingPage(page: Page, email: string) {
  await logIn(page, email, suite.platform.demoPassword);
  await page.getByRole("link", { name: "Branding" }).click();
  await page.getByRole("heading", { level: 1, name: `Branding: ${tenantName}` }).waitFor();
}

describe("tenant branding", () => {
  test("the admin sets the colours and uploads a logo; a too-light main colour is refused in words and changes nothing", async () => {
    await suite.inContext("desktop", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      await openBrandingPage(page, suite.platform.demo.admin.email);
      const colours = page.getByRole("form", { name: "Colours" });
      await colours.getByLabel("Main colour").fill(chosen.primary);
      await colours.getByLabel("Accent colour").fill(chosen.accent);
      await colours.getByRole("button", { name: "Save colours" }).click();
      await page.getByRole("status").filter({ hasText: "Colours saved" }).waitFor();
      expect((await tenantView()).branding).toMatchObject({ primary_color: chosen.primary, accent_color: chosen.accent });

      const logo = page.getByRole("form", { name: "Logo" });
      await logo
        .getByLabel("Logo image")
        .setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: solidPng(96, 32, [20, 83, 45]) });
      await logo.getByRole("button", { name: "Upload logo" }).click();
      await page.getByRole("status").filter({ hasText: "Logo uploaded" }).waitFor();
      const preview = logo.getByRole("img", { name: `${tenantName} logo` });
      await preview.waitFor();
      const logoUrl = (await tenantView()).branding.logo_url;
      expect(logoUrl).toMatch(new RegExp(`^/api/v1/tenants/${suite.platform.demo.tenant.id}/logo\\?v=[0-9a-f]+$`));
      expect(await preview.getAttribute("src")).toBe(logoUrl);

      // Over 100 KB, and an SVG (it can carry script): each refused in words, the logo kept.
      const tooLarge = Buffer.alloc(100 * 1024 + 1);
      tooLarge.set(solidPng(96, 32, [0, 0, 0]));
      await logo.getByLabel("Logo image").setInputFiles({ name: "big.png", mimeType: "image/png", buffer: tooLarge });
      await logo.getByRole("button", { name: "Upload logo" }).click();
      await page.getByRole("alert").filter({ hasText: "That image is larger than 100 KB" }).waitFor();
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
      await logo.getByLabel("Logo image").setInputFiles({ name: "logo.svg", mimeType: "image/svg+xml", buffer: svg });
      await logo.getByRole("button", { name: "Upload logo" }).click();
      await page.getByRole("alert").filter({ hasText: "That file is not a PNG, JPEG or WebP image" }).waitFor();
      expect((await tenantView()).branding.logo_url).toBe(logoUrl);

      // White text on pale yellow: 1.3 to 1. Refused in words, and the API still has the colours set above.
      await colours.getByLabel("Main colour").fill("#fde68a");
      await colours.getByRole("button", { name: "Save colours" }).click();
      await page.getByRole("alert").filter({ hasText: "White text on that main colour would be hard to read" }).waitFor();
      expect((await tenantView()).branding).toMatchObject({
        primary_color: chosen.primary,
        accent_color: chosen.accent,
        logo_url: logoUrl,
      });
      // The form shows what is saved again.
      expect(await colours.getByLabel("Main colour").inputValue()).toBe(chosen.primary);
      await expectAccessible(page, "branding page, refused colour (desktop)");
      // The refused PUTs' 400 and 413 are the console lines a browser logs for any failed request.
      expectNoProblems([/status of 400/, /status of 413/]);
    });
  }, 120_000);

  test("the branding page at both widths: the admin's forms, axe-clean and photographed", async () => {
    await suite.atEachWidth(async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      await openBrandingPage(page, suite.platform.demo.admin.email);
      await page.getByRole("form", { name: "Colours" }).waitFor();
      await page.getByRole("img", { name: `${tenantName} logo` }).waitFor();
      await expectAccessible(page, `branding page (${width})`);
      await screenshot(page, "branding", width);
      expectNoProblems();
    });
  }, 120_000);

  test("an organizer reads the branding, with no way to change it", async () => {
    await suite.inContext("desktop", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      await logIn(page, suite.platform.demo.organizer.email, suite.platform.demoPassword);
      // No link for them in the header: the API lets only admins change it.
      expect(await page.getByRole("link", { name: "Branding" }).count()).toBe(0);
      await page.goto("/organizer/branding");
      await page.getByRole("heading", { level: 1, name: `Branding: ${tenantName}` }).waitFor();
      await page.getByText(`Only an admin of ${tenantName} can change its branding.`).waitFor();
      await page.getByText(chosen.primary).waitFor();
      expect(await page.getByRole("form").count()).toBe(0);
      expect(await page.getByRole("button").count()).toBe(0);
      expectNoProblems();
    });
  }, 120_000);

  test("a buyer sees the tenant's name, logo and colours on its event page, seat map and waiting room; other pages keep the app's", async () => {
    await suite.atEachWidth(async (context, width) => {
      const { page, expectNoProblems } = await openPage(context);
      await page.goto("/events");
      await page.getByRole("link", { name: suite.platform.demoEventTitle }).waitFor();
      const appColour = await headerColour(page);
      expect(appColour).not.toBe(rgb(chosen.primary));

      await page.getByRole("link", { name: suite.platform.demoEventTitle }).click();
      await page.getByRole("heading", { level: 1, name: suite.platform.demoEventTitle }).waitFor();
      await page.getByText(`Presented by ${tenantName}`).waitFor();
      const logo = page.getByRole("img", { name: `${tenantName} logo` });
      await logo.waitFor();
      const image = `document.querySelector(".tenant-logo")`;
      await until(page, `String(${image}.complete)`, "true");
      expect(await computed(page, `[${image}.naturalWidth, ${image}.naturalHeight].join("x")`)).toBe("96x32");
      // The logo's box is the CSS one, whatever the image's size: reserved before the image came.
      expect(await computed(page, `[${image}.width, ${image}.height].join("x")`)).toBe("128x48");
      await brandBecomes(page, chosen.primary);
      expect(await headerColour(page)).toBe(rgb(chosen.primary));
      expect(await computed(page, `getComputedStyle(document.querySelector(".tenant-banner")).borderBottomColor`)).toBe(rgb(chosen.accent));
      await expectAccessible(page, `branded event page (${width})`);
      await screenshot(page, "event-branded", width);

      // Its seat map and its waiting room carry the same.
      await page.getByRole("link", { name: "Choose seats in Seated" }).click();
      await page.getByRole("heading", { level: 1, name: "Choose seats: Seated" }).waitFor();
      await page.getByText(`Presented by ${tenantName}`).waitFor();
      await page.getByRole("img", { name: `${tenantName} logo` }).waitFor();
      expect(await headerColour(page)).toBe(rgb(chosen.primary));
      await page.goto(`/queue/${suite.platform.demo.event_id}`);
      await page.getByText(`Presented by ${tenantName}`).waitFor();
      await page.getByRole("img", { name: `${tenantName} logo` }).waitFor();
      await brandBecomes(page, chosen.primary);
      expect(await headerColour(page)).toBe(rgb(chosen.primary));

      // Back to the list of every tenant's events: the app's own colour again.
      await page.getByRole("link", { name: "Events", exact: true }).click();
      await page.getByRole("link", { name: suite.platform.demoEventTitle }).waitFor();
      expect(await headerColour(page)).toBe(appColour);
      expectNoProblems();
    });
  }, 180_000);

  test("the admin removes the logo: the event page shows the name alone, in the same box", async () => {
    await suite.inContext("desktop", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      await openBrandingPage(page, suite.platform.demo.admin.email);
      await page.getByRole("button", { name: "Remove logo" }).click();
      await page.getByRole("status").filter({ hasText: "Logo removed" }).waitFor();
      expect((await tenantView()).branding).toMatchObject({ primary_color: chosen.primary, logo_url: null });
      expect((await suite.platform.api("GET", `/tenants/${suite.platform.demo.tenant.id}/logo`, null)).status).toBe(404);

      await page.goto(suite.platform.eventPath());
      await page.getByText(`Presented by ${tenantName}`).waitFor();
      expect(await page.getByRole("img").count()).toBe(0);
      // The banner's height does not depend on the logo: 3.75rem with or without it.
      expect(await computed(page, `String(document.querySelector(".tenant-banner").getBoundingClientRect().height)`)).toBe("60");
      expectNoProblems();
    });
  }, 120_000);
});
