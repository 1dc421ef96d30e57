/**
 * A buyer's whole purchase in a real browser against the platform with every worker of the
 * payment path running as its own process (outbox relay, payment worker against the mock gateway,
 * payment saga, projector, notification worker): register through the form, find the event in the
 * list, pick two adjacent seats on the seat map, hold them, pay by card on checkout, watch the
 * booking become confirmed without a reload, and receive the e-ticket with its QR code in the SMTP
 * sink. (The waiting room's part of the journey: waiting-room.browser.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { theOneMailTo } from "@booking-rush/test-support/mail-sink";
import type { Browser } from "playwright-core";
import { expectAccessible, launchBrowser, openContext, openPage, screenshot } from "./support/browser";
import { buyerPassword, type WebPlatform, webPlatform } from "./support/web-platform";

/** Charge, saga, projection: seconds on a quiet machine, more on a loaded one. */
const confirmedWithinMs = 90_000;

let platform: WebPlatform;
let browser: Browser;

beforeAll(async () => {
  platform = await webPlatform("web_journey", ["outbox-relay", "payment-worker", "payment-saga", "projector", "notification"]);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
}, 60_000);

describe("a buyer's purchase", () => {
  test("register, find the event, two adjacent seats, pay, confirmed live, the e-ticket e-mailed", async () => {
    const context = await openContext(browser, platform.url(""), "desktop");
    try {
      const { page, expectNoProblems } = await openPage(context);
      const email = platform.newEmail("journey");
      await page.goto("/register");
      const form = page.getByRole("form", { name: "Create an account" });
      await form.getByLabel("Name").fill("Journey Buyer");
      await form.getByLabel("E-mail").fill(email);
      await form.getByLabel("Password").fill(buyerPassword);
      await form.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("link", { name: "Log out" }).waitFor();

      await page.getByRole("searchbox", { name: "Search" }).fill("Demo Night");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("link", { name: platform.demoEventTitle }).click();
      await page.getByRole("link", { name: "Choose seats in Seated" }).click();
      await page.getByRole("button", { name: "Row B, seat 5, available", exact: true }).click();
      await page.getByRole("button", { name: "Row B, seat 6, available", exact: true }).click();
      await page.getByRole("button", { name: "Hold 2 seats" }).click();
      await page.waitForURL("**/checkout/*");
      const bookingId = new URL(page.url()).pathname.split("/").pop()!;
      await page.getByRole("timer").waitFor();

      await page.getByRole("form", { name: "Pay" }).getByRole("button", { name: /^Pay/ }).click();
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor({ timeout: confirmedWithinMs });
      await page.getByRole("status").filter({ hasText: "Paid and confirmed" }).waitFor();
      await expectAccessible(page, "checkout, confirmed");
      await screenshot(page, "booking-confirmed", "desktop");

      // The store and the mail agree with the page.
      const token = (await platform.api("POST", "/auth/login", null, { email, password: buyerPassword })).body.data.tokens.access_token;
      const booking = await platform.api("GET", `/bookings/${bookingId}`, token);
      expect(booking.body.data).toMatchObject({ status: "confirmed", quantity: 2 });
      const mail = await theOneMailTo(email, confirmedWithinMs);
      expect(mail.subject).toContain("Your tickets");
      expect((mail.attachments ?? []).some((attachment) => attachment.contentType === "image/png")).toBe(true);
      expectNoProblems();
    } finally {
      await context.close();
    }
  }, 300_000);
});
