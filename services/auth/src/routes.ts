import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema, validationError } from "@booking-rush/lib/errors";
import {
  authGuard,
  calendarDate,
  clientAddress,
  type RateLimitRule,
  type RequestIpSource,
  rateLimitPlugin,
  requestIdOf,
  uuid,
} from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { login, normalizedEmail, profile, register, updateProfile } from "./accounts";
import { requestPasswordReset, resetPassword } from "./password-reset";
import { changeRole } from "./roles";
import { logout, refreshSession } from "./sessions";
import type { AuthStore, RequestOrigin } from "./store";
import { changeStatus } from "./user-status";
import { profileSchema, roleSchema, sessionSchema, userSchema, userStatusSchema } from "./views";

// Every string has a ceiling: nothing unbounded reaches bcrypt, the database or a log line.
const email = t.String({ format: "email", minLength: 3, maxLength: 254, description: "Unique, compared case-insensitively" });
const newPassword = t.String({ minLength: 8, maxLength: 128, description: "At least 8 characters" });
const givenPassword = t.String({ minLength: 1, maxLength: 128 });
// Any text without control characters and not only blanks; stored exactly as given (HTML included).
const displayName = t.String({
  minLength: 1,
  maxLength: 100,
  pattern: "^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$",
});
const dateOfBirth = calendarDate({
  description: "YYYY-MM-DD, not in the future, within the last 130 years; an event's min_age is checked against it",
});
const opaqueToken = t.String({ minLength: 16, maxLength: 128, pattern: "^[A-Za-z0-9_-]+$", description: "Opaque token (base64url)" });

const sessionResponse = okSchema(sessionSchema);
const userResponse = okSchema(userSchema);
const profileResponse = okSchema(profileSchema);

export interface AuthRoutesOptions {
  access: AccessControl;
  trustProxy: boolean;
}

export function authRoutes(store: AuthStore, options: AuthRoutesOptions) {
  const { loginRate, registerRate } = store.config;
  // While Redis cannot write the buckets (no replica in sync, a failover) these limits are counted
  // per process instead of failing open: they are what stands between a password and guessing.
  const local = { whenUnwritable: "local" as const };
  const rules = {
    login: { name: "login", ...loginRate, ...local },
    register: { name: "register", ...registerRate, ...local },
    // Same rates as login: each of these can cost a bcrypt run or send an e-mail.
    forgotPassword: { name: "forgot-password", ...loginRate, ...local },
    passwordChange: { name: "password-change", ...loginRate, ...local },
  } satisfies Record<string, RateLimitRule>;
  const byEmail = ({ body }: { body: unknown }) => [{ kind: "email", value: normalizedEmail((body as { email: string }).email) }];
  const addressOptions = { trustProxy: options.trustProxy };
  const originOf = (request: Request, server: unknown): RequestOrigin => ({
    ip: clientAddress(request, server as RequestIpSource | null, addressOptions),
    requestId: requestIdOf(request),
  });

  return new Elysia({ name: "auth.routes", prefix: "/api/v1" })
    .use(authGuard(options.access))
    .use(rateLimitPlugin(store.limiter, addressOptions))
    .post(
      "/auth/register",
      async ({ body, request, server, set }) => {
        const session = await register(store, body, originOf(request, server));
        set.status = 201;
        return { success: true as const, data: session };
      },
      {
        body: t.Object({ email, password: newPassword, name: displayName, date_of_birth: t.Optional(dateOfBirth) }),
        rateLimit: { rule: rules.register, subjects: byEmail },
        response: { 201: sessionResponse, ...errorResponses("CONFLICT", "RATE_LIMITED") },
        detail: {
          tags: ["auth"],
          summary: "Create an account (role user) and sign in",
          description: "With `date_of_birth` the access token carries it as the `birthdate` claim (events with a `min_age` need it).",
        },
      },
    )
    .post(
      "/auth/login",
      async ({ body, request, server }) => ({ success: true as const, data: await login(store, body, originOf(request, server)) }),
      {
        body: t.Object({ email, password: givenPassword }),
        rateLimit: { rule: rules.login, subjects: byEmail },
        response: { 200: sessionResponse, ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "RATE_LIMITED") },
        detail: { tags: ["auth"], summary: "Sign in: access and refresh token; 403 for a disabled account" },
      },
    )
    .post(
      "/auth/refresh",
      async ({ body, request, server }) => ({
        success: true as const,
        data: await refreshSession(store, body.refresh_token, originOf(request, server)),
      }),
      {
        body: t.Object({ refresh_token: opaqueToken }),
        response: { 200: sessionResponse, ...errorResponses("UNAUTHORIZED") },
        detail: { tags: ["auth"], summary: "New token pair; the presented refresh token is revoked (reusing it revokes the session)" },
      },
    )
    .post(
      "/auth/logout",
      async ({ body, user, request, server }) => {
        await logout(store, user, body.refresh_token, originOf(request, server));
        return { success: true as const, data: { logged_out: true as const } };
      },
      {
        auth: true,
        body: t.Object({ refresh_token: opaqueToken }),
        response: { 200: okSchema(t.Object({ logged_out: t.Literal(true) })) },
        detail: { tags: ["auth"], summary: "Revoke the session of a refresh token" },
      },
    )
    .post(
      "/auth/forgot-password",
      ({ body, request, server, set }) => {
        requestPasswordReset(store, body.email, originOf(request, server));
        set.status = 202;
        return { success: true as const, data: { status: "accepted" as const } };
      },
      {
        body: t.Object({ email }),
        rateLimit: { rule: rules.forgotPassword, subjects: byEmail },
        response: { 202: okSchema(t.Object({ status: t.Literal("accepted") })), ...errorResponses("RATE_LIMITED") },
        detail: { tags: ["auth"], summary: "E-mail a one-time reset token when the account exists; always 202" },
      },
    )
    .post(
      "/auth/reset-password",
      async ({ body, request, server }) => {
        await resetPassword(store, body, originOf(request, server));
        return { success: true as const, data: { password_reset: true as const } };
      },
      {
        body: t.Object({ token: opaqueToken, password: newPassword }),
        response: { 200: okSchema(t.Object({ password_reset: t.Literal(true) })), ...errorResponses("UNAUTHORIZED") },
        detail: { tags: ["auth"], summary: "Set a new password with a reset token; every session ends" },
      },
    )
    .get("/auth/me", async ({ user }) => ({ success: true as const, data: await profile(store, user) }), {
      auth: true,
      response: { 200: profileResponse, ...errorResponses("NOT_FOUND") },
      detail: { tags: ["auth"], summary: "The caller's profile" },
    })
    .put(
      "/auth/me",
      async ({ body, user, request, server }) => {
        if (body.name === undefined && body.password === undefined && body.date_of_birth === undefined) {
          throw validationError([{ in: "body", field: "", message: "send name, password and/or date_of_birth" }]);
        }
        if (body.password !== undefined) {
          if (body.current_password === undefined)
            throw validationError([{ in: "body", field: "current_password", message: "required to change the password" }]);
          await store.limiter.take(rules.passwordChange, [{ kind: "user", value: user.id }]);
        }
        return { success: true as const, data: await updateProfile(store, user, body, originOf(request, server)) };
      },
      {
        auth: true,
        body: t.Object({
          name: t.Optional(displayName),
          password: t.Optional(newPassword),
          current_password: t.Optional(givenPassword),
          date_of_birth: t.Optional(dateOfBirth),
        }),
        response: { 200: profileResponse, ...errorResponses("NOT_FOUND", "CONFLICT", "RATE_LIMITED") },
        detail: {
          tags: ["auth"],
          summary: "Change the name, the password with the current one (ends every session), or set the date of birth once",
          description:
            "`date_of_birth` can be set while the profile has none (sending the date already set changes nothing); a different " +
            "date once set is 409 CONFLICT, so an age cannot be edited to pass an event's min_age. The access token in use does " +
            "not gain it: tokens issued afterwards carry it as the `birthdate` claim, so refresh (POST /auth/refresh) before " +
            "reserving for an age-restricted event.",
        },
      },
    )
    .put(
      "/admin/users/:id/role",
      async ({ params, body, user, request, server }) => ({
        success: true as const,
        data: await changeRole(store, user, params.id, body.role, originOf(request, server)),
      }),
      {
        auth: ["admin"],
        params: t.Object({ id: uuid() }),
        body: t.Object({ role: roleSchema }),
        response: { 200: userResponse, ...errorResponses("NOT_FOUND", "CONFLICT") },
        detail: { tags: ["admin"], summary: "Change a user's role within the admin's tenant" },
      },
    )
    .put(
      "/admin/users/:id/status",
      async ({ params, body, user, request, server }) => ({
        success: true as const,
        data: await changeStatus(store, user, params.id, body.status, originOf(request, server)),
      }),
      {
        auth: ["admin"],
        params: t.Object({ id: uuid() }),
        body: t.Object({ status: userStatusSchema }),
        response: { 200: userResponse, ...errorResponses("NOT_FOUND", "CONFLICT") },
        detail: { tags: ["admin"], summary: "Disable a user (every session ends at once) or enable it again" },
      },
    );
}
