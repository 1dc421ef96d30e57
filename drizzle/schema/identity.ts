/**
 * Tenants, users and the auth service's tokens.
 *
 * Tokens are stored only as hashes (SHA-256 hex of the opaque token): a leaked table cannot be
 * replayed. Refresh tokens rotate: each refresh revokes the presented token, records which token
 * replaced it, and keeps the `family_id` of the login it descends from, so presenting an already
 * revoked token revokes the whole family (reuse detection).
 */
import { sql } from "drizzle-orm";
import { type AnyPgColumn, check, customType, date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps, timestamptz } from "./columns";
import { tenantStatus, userRole, userStatus } from "./enums";

/** One organizer organisation. Branding colours live in `settings.branding`, its logo in `tenant_logos`. */
export const tenants = pgTable(
  "tenants",
  {
    id: id(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    status: tenantStatus("status").notNull().default("active"),
    ...timestamps(),
  },
  (t) => [uniqueIndex("tenants_slug_key").on(t.slug), check("tenants_slug_format", sql`${t.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`)],
);

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => "bytea" });

/**
 * A tenant's logo, served by the platform itself (its CSP is `default-src 'self'`: a logo on another
 * host would be blocked). Small (the API takes 100 KB at most) and read through the catalog's
 * cached route, so PostgreSQL is enough. `sha256` (hex) is the ETag and the version in its URL.
 */
export const tenantLogos = pgTable(
  "tenant_logos",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    contentType: text("content_type").notNull(),
    bytes: bytea("bytes").notNull(),
    sha256: text("sha256").notNull(),
    ...timestamps(),
  },
  (t) => [
    check("tenant_logos_content_type", sql`${t.contentType} in ('image/png', 'image/jpeg', 'image/webp')`),
    check("tenant_logos_size", sql`octet_length(${t.bytes}) between 1 and 102400`),
  ],
);

/**
 * Users log in with e-mail alone (no tenant in the login body), so e-mail is unique across the
 * platform, case-insensitively. `tenant_id` is the organisation an organizer/admin belongs to; a
 * plain ticket buyer may have none (null), which the JWT then carries as a null `tenant_id`.
 * `date_of_birth` is what an event's `min_age` is checked against (null = unknown → not allowed
 * into age-restricted events).
 */
export const users = pgTable(
  "users",
  {
    id: id(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "restrict" }),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    name: text("name").notNull(),
    role: userRole("role").notNull().default("user"),
    status: userStatus("status").notNull().default("active"),
    /**
     * Carried by every access token (`ver`); bumped when the role or tenant changes, the password
     * is reset or the account is disabled, so every token issued before stops working at once.
     */
    tokenVersion: integer("token_version").notNull().default(0),
    dateOfBirth: date("date_of_birth", { mode: "string" }),
    lastLoginAt: timestamptz("last_login_at"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    index("users_tenant_id_idx").on(t.tenantId),
    check("users_email_format", sql`position('@' in ${t.email}) > 1`),
    check("users_token_version_non_negative", sql`${t.tokenVersion} >= 0`),
  ],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The first token of a login and every rotation of it share one family id. */
    familyId: uuid("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    revokedAt: timestamptz("revoked_at"),
    /** The token this one was rotated into; null while current or when revoked by logout/reuse. */
    replacedBy: uuid("replaced_by").references((): AnyPgColumn => refreshTokens.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(t.tokenHash),
    index("refresh_tokens_family_id_idx").on(t.familyId),
    index("refresh_tokens_user_id_idx").on(t.userId),
    // the purge job deletes expired tokens
    index("refresh_tokens_expires_at_idx").on(t.expiresAt),
  ],
);

export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    /** One-time: set when redeemed; a used token is never accepted again. */
    usedAt: timestamptz("used_at"),
    ...timestamps(),
  },
  (t) => [uniqueIndex("password_reset_tokens_token_hash_key").on(t.tokenHash), index("password_reset_tokens_user_id_idx").on(t.userId)],
);
