import type { users } from "@booking-rush/db/schema";
import { t } from "elysia";

type UserRow = typeof users.$inferSelect;

/** Spelled out (not mapped from `roles`) so the static type stays the union of the three. */
export const roleSchema = t.Union([t.Literal("user"), t.Literal("organizer"), t.Literal("admin")]);

export const userStatusSchema = t.Union([t.Literal("active"), t.Literal("disabled")], {
  description: "A disabled account cannot log in; its tokens stopped working when it was disabled",
});

export const userSchema = t.Object({
  id: t.String({ format: "uuid" }),
  email: t.String(),
  name: t.String(),
  role: roleSchema,
  tenant_id: t.Union([t.String({ format: "uuid" }), t.Null()]),
  status: userStatusSchema,
  created_at: t.String({ format: "date-time" }),
});

/**
 * What the user sees of their own account (the session's user, GET/PUT /auth/me): the user and the
 * date of birth, which an admin's answers about the user leave out.
 */
export const profileSchema = t.Composite([
  userSchema,
  t.Object({
    date_of_birth: t.Union([t.String({ format: "date" }), t.Null()], {
      description: "YYYY-MM-DD; what an event's min_age is checked against. null: not given, so age-restricted events refuse the buyer",
    }),
  }),
]);

export const tokensSchema = t.Object({
  access_token: t.String(),
  refresh_token: t.String(),
  token_type: t.Literal("Bearer"),
  expires_in: t.Integer({ description: "Seconds until the access token expires" }),
});

export const sessionSchema = t.Object({ user: profileSchema, tokens: tokensSchema });

export type UserView = typeof userSchema.static;
export type ProfileView = typeof profileSchema.static;
export type TokensView = typeof tokensSchema.static;

export const userView = (user: UserRow): UserView => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  tenant_id: user.tenantId,
  status: user.status,
  created_at: user.createdAt.toISOString(),
});

export const profileView = (user: UserRow): ProfileView => ({ ...userView(user), date_of_birth: user.dateOfBirth });
