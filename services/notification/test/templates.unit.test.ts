import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatMoney, formatSeats } from "../src/format";
import { defaultTemplateDirectory, escapeHtml, loadTemplates, renderTemplate, TemplateError, templateNames } from "../src/templates";

/** What booking-expired needs, all of it plain. */
const expiredValues = {
  user_name: "Ann",
  booking_id: "b",
  event_title: "e",
  venue: "v",
  show_starts_at: "s",
  zone_name: "z",
  quantity: 1,
  seats: "-",
  expired_at: "t",
};

describe("templates", () => {
  test("every value is HTML-escaped in the HTML part and left as it is in the text part", () => {
    const templates = loadTemplates();
    const hostile = `<script>alert("x")</script> & 'quotes'`;
    const values = {
      user_name: hostile,
      booking_id: "b-1",
      payment_id: "p-1",
      event_title: hostile,
      venue: "Hall <A>",
      show_starts_at: "soon",
      zone_name: "Zone & co",
      quantity: 2,
      seats: "Row A, seat 1",
      unit_price: "THB 1.00",
      total_price: "THB 2.00",
      ticket_code: "booking-rush:ticket:b-1",
      qr_cid: "qr@x",
      expired_at: "then",
      amount: "THB 2.00",
      failure_reason: "card <declined>",
      refund_amount: "THB 1.00",
      refund_percent: 50,
      refund_reason: "because",
      hold_expires_at: "later",
      pay_url: "http://web.test/bookings/b-1/pay",
      closed_reason: "the sale ended",
      closed_at: "then",
    };
    for (const name of templateNames) {
      const mail = templates.render(name, values);
      expect(mail.html).not.toContain("<script>");
      expect(mail.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;");
      expect(mail.text).toContain(hostile);
      expect(mail.subject).toContain(hostile);
      expect(mail.html).not.toMatch(/\{\{|\}\}/);
      expect(mail.text).not.toMatch(/\{\{|\}\}/);
    }
  });

  test("every HTML part is the shared frame, titled with the subject, around the message's own content", () => {
    const mail = loadTemplates().render("booking-expired", { ...expiredValues, booking_id: "b-7", event_title: "Rock & Roll" });
    expect(mail.html.startsWith("<!doctype html>")).toBe(true);
    expect(mail.html).toContain("<title>Your reservation for Rock &amp; Roll expired</title>");
    expect(mail.html).toMatch(
      /<td style="padding:24px">\s*<p>Hello Ann,<\/p>[\s\S]*b-7[\s\S]*<\/td><\/tr>\s*<\/table>\s*<\/body>\s*<\/html>\s*$/,
    );
  });

  test("a layout without exactly one content slot stops the start", () => {
    const directory = mkdtempSync(join(tmpdir(), "templates-"));
    cpSync(defaultTemplateDirectory, directory, { recursive: true });
    writeFileSync(join(directory, "layout.html"), "<html><body>no slot</body></html>");
    expect(() => loadTemplates(directory)).toThrow(TemplateError);
    rmSync(directory, { recursive: true });
  });

  test("a placeholder without a value is an error, never an empty gap", () => {
    expect(() => renderTemplate("Hello {{ user_name }}, {{missing}}", { user_name: "Ann" })).toThrow(TemplateError);
    expect(renderTemplate("{{a}}{{ a }}", { a: "<b>" }, escapeHtml)).toBe("&lt;b&gt;&lt;b&gt;");
  });

  test("a subject stays one header line", () => {
    const mail = loadTemplates().render("booking-expired", { ...expiredValues, event_title: "Line\r\nBcc: evil@example.com" });
    expect(mail.subject).toBe("Your reservation for Line Bcc: evil@example.com expired");
  });

  test("amounts in minor units and seats read naturally", () => {
    expect(formatMoney(600_000, "THB")).toBe("THB\u00a06,000.00");
    expect(formatMoney(1_500, "JPY")).toBe("¥1,500");
    expect(
      formatSeats([
        { rowLabel: "A", seatNumber: 1 },
        { rowLabel: "B", seatNumber: 2 },
      ]),
    ).toBe("Row A, seat 1; Row B, seat 2");
  });
});
