/**
 * Accounts: registration, login and the caller's own profile.
 *
 * E-mail is unique case-insensitively (index on lower(email)); it is stored as typed and compared
 * lowercased. A login with an unknown e-mail and one with a wrong password get the same answer and
 * take the same time (a bcrypt verification against a dummy hash).
 */

import { users } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { writeAudit } from "@booking-rush/lib/data";
import { AppError, conflict, forbidden, unauthorized } from "@booking-rush/lib/errors";
import { eq, sql } from "drizzle-orm";
import { revokeTokens } from "./auth-state";
import { checkDateOfBirth, setDateOfBirth } from "./date-of-birth";
import { issueTokens } from "./sessions";
import { type AuthStore, isUniqueViolation, type RequestOrigin, selfAudit } from "./store";
import { type ProfileView, profileView } from "./views";

export const normalizedEmail = (email: string) => email.trim().toLowerCase();

const byEmail = (email: string) => sql`lower(${users.email}) = ${normalizedEmail(email)}`;

export interface Registration {
  email: string;
  password: string;
  name: string;
  /** `YYYY-MM-DD`; optional (see date-of-birth.ts). */
  date_of_birth?: string;
}

export async function register(store: AuthStore, input: Registration, origin: RequestOrigin) {
  if (input.date_of_birth !== undefined) checkDateOfBirth(input.date_of_birth);
  const passwordHash = await store.hasher.hash(input.password);
  try {
    const session = await store.db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email: input.email.trim(), name: input.name, passwordHash, role: "user", dateOfBirth: input.date_of_birth ?? null })
        .returning();
      const { tokens } = await issueTokens(store, tx, user!);
      const after = { role: user!.role, date_of_birth_set: user!.dateOfBirth !== null };
      await writeAudit(tx, { ...selfAudit(user!, origin), action: "auth.registered", after });
      return { user: profileView(user!), tokens };
    });
    store.metrics.registrations.inc({ result: "created" });
    return session;
  } catch (error) {
    if (!isUniqueViolation(error, "users_email_lower_key")) throw error;
    store.metrics.registrations.inc({ result: "conflict" });
    throw conflict("This e-mail is already registered", { field: "email" });
  }
}

const wrongCredentials = () => unauthorized("E-mail or password is wrong");

export async function login(store: AuthStore, input: { email: string; password: string }, origin: RequestOrigin) {
  const [user] = await store.db.select().from(users).where(byEmail(input.email));
  const valid = await store.hasher.verify(input.password, user?.passwordHash ?? null);
  if (!user || !valid) {
    store.metrics.logins.inc({ result: "failed" });
    store.logger.info("login failed", { request_id: origin.requestId });
    throw wrongCredentials();
  }
  if (user.status !== "active") {
    store.metrics.logins.inc({ result: "disabled" });
    throw forbidden("This account is disabled");
  }
  const session = await store.db.transaction(async (tx) => {
    const [current] = await tx.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user.id)).returning();
    const { tokens } = await issueTokens(store, tx, current!);
    await writeAudit(tx, { ...selfAudit(user, origin), action: "auth.login" });
    return { user: profileView(current!), tokens };
  });
  store.metrics.logins.inc({ result: "success" });
  return session;
}

/** The caller's row; a token for a user that no longer exists is no longer valid. */
async function currentUser(store: AuthStore, userId: string) {
  const [user] = await store.db.select().from(users).where(eq(users.id, userId));
  if (!user) throw unauthorized("Access token is not valid");
  return user;
}

export async function profile(store: AuthStore, caller: AuthenticatedUser): Promise<ProfileView> {
  return profileView(await currentUser(store, caller.id));
}

export interface ProfileChange {
  name?: string;
  password?: string;
  current_password?: string;
  date_of_birth?: string;
}

/**
 * Changes the name, the password and/or sets the date of birth, all or nothing. A new password
 * needs the current one (403 when it is wrong) and ends every session of the user: all refresh
 * tokens are revoked. The date of birth is set once (date-of-birth.ts); tokens issued from then on
 * carry it (the caller's current one does not: a refresh gets one that does).
 */
export async function updateProfile(
  store: AuthStore,
  caller: AuthenticatedUser,
  change: ProfileChange,
  origin: RequestOrigin,
): Promise<ProfileView> {
  if (change.date_of_birth !== undefined) checkDateOfBirth(change.date_of_birth);
  const user = await currentUser(store, caller.id);
  let passwordHash: string | undefined;
  if (change.password !== undefined) {
    if (!(await store.hasher.verify(change.current_password ?? "", user.passwordHash))) throw forbidden("The current password is wrong");
    passwordHash = await store.hasher.hash(change.password);
  }
  return store.db.transaction(async (tx) => {
    const dated = change.date_of_birth === undefined ? undefined : await setDateOfBirth(tx, user.id, change.date_of_birth);
    const renaming = change.name === undefined ? {} : { name: change.name };
    // A new password ends every session, this one's access token included; a name alone is a plain update.
    const revocation = passwordHash === undefined ? undefined : await revokeTokens(store, tx, user.id, { ...renaming, passwordHash });
    const [updated] = revocation
      ? [revocation.user]
      : change.name === undefined
        ? [dated]
        : await tx.update(users).set(renaming).where(eq(users.id, user.id)).returning();
    if (!updated) throw new AppError("NOT_FOUND", "User not found");
    const audit = selfAudit(user, origin);
    if (change.name !== undefined && change.name !== user.name) {
      await writeAudit(tx, { ...audit, action: "auth.profile_updated", before: { name: user.name }, after: { name: updated.name } });
    }
    if (user.dateOfBirth === null && updated.dateOfBirth !== null) {
      // That it was set, never the date itself (a buyer's personal data).
      await writeAudit(tx, { ...audit, action: "auth.date_of_birth_set" });
    }
    if (revocation) {
      await writeAudit(tx, { ...audit, action: "auth.password_changed", after: { revoked_tokens: revocation.revoked } });
    }
    return profileView(updated);
  });
}
