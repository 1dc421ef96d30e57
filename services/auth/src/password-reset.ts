/**
 * Forgotten passwords: a one-time token by e-mail, redeemed once within PASSWORD_RESET_TTL_SECONDS.
 *
 * The request always answers 202 at once; looking the user up, storing the token and sending the
 * e-mail happen after the response, so neither the answer nor its timing tells whether the e-mail
 * is registered. The token exists in the e-mail only: stored as its SHA-256, never logged.
 * Redeeming sets the new password, uses up every outstanding reset token of the user and revokes
 * every refresh token (all sessions end).
 */

import { passwordResetTokens, users } from "@booking-rush/db/schema";
import { writeAudit } from "@booking-rush/lib/data";
import { unauthorized } from "@booking-rush/lib/errors";
import { and, eq, isNull, sql } from "drizzle-orm";
import { normalizedEmail } from "./accounts";
import { revokeTokens } from "./auth-state";
import { hashToken, newOpaqueToken, sameHash } from "./secrets";
import { type AuthStore, type RequestOrigin, selfAudit } from "./store";

export function requestPasswordReset(store: AuthStore, email: string, origin: RequestOrigin): void {
  store.background.run("password-reset-email", () => sendResetEmail(store, email, origin));
}

async function sendResetEmail(store: AuthStore, email: string, origin: RequestOrigin) {
  const [user] = await store.db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizedEmail(email)}`);
  if (!user) return;
  const token = newOpaqueToken();
  await store.db.insert(passwordResetTokens).values({
    userId: user.id,
    tokenHash: hashToken(token),
    expiresAt: sql`now() + make_interval(secs => ${store.config.resetTokenTtlSeconds})`,
  });
  const minutes = Math.round(store.config.resetTokenTtlSeconds / 60);
  const link = store.config.resetUrl
    ? `${store.config.resetUrl}${store.config.resetUrl.includes("?") ? "&" : "?"}token=${token}`
    : undefined;
  const text = [
    `Hello ${user.name},`,
    "",
    "someone (hopefully you) asked to reset the password of your Booking Rush account.",
    link ? `Choose a new password here: ${link}` : `Your reset code: ${token}`,
    ...(link ? ["", `Or use this reset code: ${token}`] : []),
    "",
    `It works once and expires in ${minutes} minutes. If you did not ask for it, ignore this e-mail; your password stays as it is.`,
  ].join("\n");
  try {
    await store.mailer.send({ to: user.email, subject: "Reset your Booking Rush password", text });
  } catch (error) {
    store.metrics.emails.inc({ result: "failed" });
    // The message text (with the token) is never part of what is logged.
    store.logger.error("password reset e-mail not sent", {
      user_id: user.id,
      request_id: origin.requestId,
      error: error instanceof Error ? error.message : "unknown",
    });
    return;
  }
  store.metrics.emails.inc({ result: "sent" });
  store.metrics.passwordResets.inc({ stage: "requested" });
  store.logger.info("password reset e-mail sent", { user_id: user.id, request_id: origin.requestId });
}

export async function resetPassword(store: AuthStore, input: { token: string; password: string }, origin: RequestOrigin): Promise<void> {
  const presentedHash = hashToken(input.token);
  // bcrypt before the transaction: no row lock is held for its duration.
  const passwordHash = await store.hasher.hash(input.password);
  const done = await store.db.transaction(async (tx) => {
    const [row] = await tx.select().from(passwordResetTokens).where(eq(passwordResetTokens.tokenHash, presentedHash)).for("update");
    if (!row || !sameHash(row.tokenHash, presentedHash) || row.usedAt !== null || row.expiresAt.getTime() <= Date.now()) return false;
    const { user, revoked } = await revokeTokens(store, tx, row.userId, { passwordHash });
    if (!user) return false;
    await tx
      .update(passwordResetTokens)
      .set({ usedAt: sql`now()` })
      .where(and(eq(passwordResetTokens.userId, row.userId), isNull(passwordResetTokens.usedAt)));
    await writeAudit(tx, { ...selfAudit(user, origin), action: "auth.password_reset", after: { revoked_tokens: revoked } });
    return true;
  });
  store.metrics.passwordResets.inc({ stage: done ? "completed" : "rejected" });
  if (!done) throw unauthorized("Reset token is not valid, already used or expired");
}
