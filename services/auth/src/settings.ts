import { secret, settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

/**
 * The auth service's own settings (token lifetimes and the signing key are the shared `authSettings`;
 * SMTP is the shared `smtpSettings`).
 */
export const authServiceSettings = settingsGroup(
  {
    PASSWORD_HASH_COST: Type.Integer({
      minimum: 4,
      maximum: 31,
      default: 12,
      description: "bcrypt cost of stored passwords (each step doubles the work; tests use 4)",
    }),
    LOGIN_RATE_PER_MINUTE: Type.Number({
      exclusiveMinimum: 0,
      default: 5,
      description: "Token-bucket refill of login attempts, per client address and per e-mail",
    }),
    LOGIN_RATE_BURST: Type.Integer({
      minimum: 1,
      default: 3,
      description: "Token-bucket size of login attempts (also forgot-password and password changes)",
    }),
    REGISTER_RATE_PER_MINUTE: Type.Number({
      exclusiveMinimum: 0,
      default: 3,
      description: "Token-bucket refill of registrations, per client address and per e-mail",
    }),
    REGISTER_RATE_BURST: Type.Integer({ minimum: 1, default: 2, description: "Token-bucket size of registrations" }),
    PASSWORD_RESET_TTL_SECONDS: Type.Integer({
      minimum: 60,
      maximum: 86_400,
      default: 3_600,
      description: "How long a password-reset token is valid",
    }),
    PASSWORD_RESET_URL: Type.Optional(
      Type.String({
        pattern: "^https?://",
        maxLength: 2_000,
        description: "Page that completes a reset; the e-mail links to it with ?token=…",
      }),
    ),
    ADMIN_EMAIL: Type.Optional(
      Type.String({ format: "email", maxLength: 254, description: "First admin, created at start when no admin exists" }),
    ),
    ADMIN_PASSWORD: Type.Optional(
      secret(Type.String({ minLength: 12, maxLength: 128, description: "Password of the first admin (at least 12 characters)" })),
    ),
    ADMIN_TENANT_SLUG: Type.String({
      pattern: "^[a-z0-9]+(-[a-z0-9]+)*$",
      maxLength: 63,
      default: "platform",
      description: "Tenant of the first admin (admins belong to a tenant); created when missing",
    }),
  },
  (values) => ({
    passwordHashCost: values.PASSWORD_HASH_COST,
    loginRate: { perMinute: values.LOGIN_RATE_PER_MINUTE, burst: values.LOGIN_RATE_BURST },
    registerRate: { perMinute: values.REGISTER_RATE_PER_MINUTE, burst: values.REGISTER_RATE_BURST },
    resetTokenTtlSeconds: values.PASSWORD_RESET_TTL_SECONDS,
    resetUrl: values.PASSWORD_RESET_URL,
    admin: {
      email: values.ADMIN_EMAIL,
      password: values.ADMIN_PASSWORD,
      tenantSlug: values.ADMIN_TENANT_SLUG,
    },
  }),
);

export type AuthServiceConfig = ReturnType<typeof authServiceSettings.shape>;
