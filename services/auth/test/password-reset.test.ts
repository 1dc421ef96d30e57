import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { passwordResetTokens } from "@booking-rush/db/schema";
import { eventually } from "@booking-rush/test-support/eventually";
import { eq, sql } from "drizzle-orm";
import { type AuthFixture, authFixture, messagesTo, uniqueEmail } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("reset", { authService: { resetUrl: "https://tickets.example/reset" } });
});
afterAll(() => fixture?.close());

/** Waits for the reset e-mail to `email` in the MailDev sink and returns the token in it. */
async function resetTokenFor(email: string, expected = 1) {
  const messages = await eventually(async () => {
    const found = await messagesTo(email);
    if (found.length < expected) throw new Error(`${found.length} of ${expected} messages so far`);
    return found;
  });
  const message = messages[messages.length - 1]!;
  expect(message.subject).toBe("Reset your Booking Rush password");
  const match = message.text.match(/reset\?token=([A-Za-z0-9_-]{43})/);
  expect(match).not.toBeNull();
  expect(message.text).toContain(`reset code: ${match![1]}`);
  return match![1]!;
}

describe("forgot and reset password", () => {
  test("the e-mail arrives, the token resets once, old sessions end, and no log line holds the token", async () => {
    const ann = await fixture.register();
    const forgot = await fixture.post("/auth/forgot-password", { email: ann.email.toUpperCase() });
    expect(forgot.status).toBe(202);
    expect(forgot.body).toEqual({ success: true, data: { status: "accepted" } });
    const token = await resetTokenFor(ann.email);

    const reset = await fixture.post("/auth/reset-password", { token, password: "brand-new-pass-1" });
    expect(reset.status).toBe(200);
    expect((await fixture.post("/auth/login", { email: ann.email, password: "brand-new-pass-1" })).status).toBe(200);
    expect((await fixture.post("/auth/login", { email: ann.email, password: ann.password })).status).toBe(401);
    expect((await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token })).status).toBe(401);
    // Not only the refresh token: the access token issued before the reset stops working at once.
    expect((await fixture.request("GET", "/auth/me", { token: ann.tokens.access_token })).status).toBe(401);

    const second = await fixture.post("/auth/reset-password", { token, password: "another-pass-2" });
    expect(second.status).toBe(401);
    expect(second.body.error.code).toBe("UNAUTHORIZED");
    expect((await fixture.post("/auth/login", { email: ann.email, password: "brand-new-pass-1" })).status).toBe(200);

    const audits = (await fixture.audit("auth.password_reset")).filter((row) => row.entityId === ann.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: ann.id, action: "auth.password_reset", entityType: "user" });

    await fixture.service.store.background.settled();
    const hash = new Bun.CryptoHasher("sha256").update(token).digest("hex");
    for (const line of fixture.lines) {
      expect(line.includes(token)).toBe(false);
      expect(line.includes(hash)).toBe(false);
    }
    expect(fixture.lines.some((line) => line.includes("password reset e-mail sent"))).toBe(true);
  });

  test("an unknown e-mail gets the same 202 and no message, and no token is stored", async () => {
    const before = await fixture.counts();
    const nobody = uniqueEmail("nobody");
    const answer = await fixture.post("/auth/forgot-password", { email: nobody });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ success: true, data: { status: "accepted" } });
    await fixture.service.store.background.settled();
    expect(await messagesTo(nobody)).toHaveLength(0);
    expect((await fixture.counts()).reset_tokens).toBe(before.reset_tokens);
  });

  test("an expired token fails and changes nothing", async () => {
    const ann = await fixture.register();
    await fixture.post("/auth/forgot-password", { email: ann.email });
    const token = await resetTokenFor(ann.email);
    const hash = new Bun.CryptoHasher("sha256").update(token).digest("hex");
    await fixture.db
      .update(passwordResetTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(passwordResetTokens.tokenHash, hash));
    const answer = await fixture.post("/auth/reset-password", { token, password: "brand-new-pass-1" });
    expect(answer.status).toBe(401);
    expect((await fixture.post("/auth/login", { email: ann.email, password: ann.password })).status).toBe(200);
    expect((await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token })).status).toBe(200);
  });

  test("a made-up token fails", async () => {
    const answer = await fixture.post("/auth/reset-password", { token: "A".repeat(43), password: "brand-new-pass-1" });
    expect(answer.status).toBe(401);
  });

  test("the same token redeemed concurrently: exactly one reset; redeeming uses up the user's other tokens", async () => {
    const ann = await fixture.register();
    await fixture.post("/auth/forgot-password", { email: ann.email });
    const older = await resetTokenFor(ann.email, 1);
    await fixture.post("/auth/forgot-password", { email: ann.email });
    const newer = await resetTokenFor(ann.email, 2);
    expect(newer).not.toBe(older);
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, index) => fixture.post("/auth/reset-password", { token: newer, password: `concurrent-pass-${index}` })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401, 401, 401]);
    expect((await fixture.post("/auth/reset-password", { token: older, password: "older-token-pass" })).status).toBe(401);
  });
});
