/**
 * An auth service on the real local stack (Redis through Sentinel, PostgreSQL, the MailDev SMTP
 * sink) over a fresh, migrated database of its own, wrapped in the production kernel; plus helpers
 * to call it, count rows and read the mail sink.
 */

import * as schema from "@booking-rush/db/schema";
import { signAccessToken } from "@booking-rush/lib/auth";
import { authSettings, loadConfig, smtpSettings } from "@booking-rush/lib/config";
import { createHttpApp } from "@booking-rush/lib/http";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { createFreshDatabase } from "@booking-rush/test-support/fresh-database";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { eq, sql } from "drizzle-orm";
import { createAuthService } from "../../src/app";
import { type AuthServiceConfig, authServiceSettings } from "../../src/settings";

export const jwtSecret = "auth-tests-signing-secret-0123456789abcdef";
const defaults = loadConfig({ authService: authServiceSettings }, {}).authService;
const smtp = loadConfig({ smtp: smtpSettings }, process.env).smtp;
const sinkApi = process.env.SMTP_SINK_API_URL ?? "http://127.0.0.1:8025";

/** Limits too high to matter, for tests that are not about rate limits. */
export const noLimits = { loginRate: { perMinute: 60_000, burst: 1_000 }, registerRate: { perMinute: 60_000, burst: 1_000 } };

export interface FixtureOptions {
  trustProxy?: boolean;
  authService?: Partial<AuthServiceConfig>;
  accessTokenTtlSeconds?: number;
}

export async function authFixture(label: string, options: FixtureOptions = {}) {
  const database = await createFreshDatabase(`auth_${label}`);
  const lines: string[] = [];
  const logger = createLogger({ service: "auth-test", level: "debug", write: (line) => lines.push(line) });
  const metrics = createMetrics("auth-test");
  const service = createAuthService(
    {
      service: { trustProxy: options.trustProxy ?? true },
      redis: stackConfig.redis,
      postgres: { ...stackConfig.postgres, url: database.url },
      smtp,
      auth: {
        ...loadConfig({ auth: authSettings }, { JWT_SECRET: jwtSecret }).auth,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 900,
      },
      authService: { ...defaults, passwordHashCost: 4, ...noLimits, ...options.authService },
    },
    logger,
    metrics,
  );
  const app = createHttpApp(
    { service: { name: "auth-test", corsOrigins: "*" }, logger: logger, metrics, readiness: { checks: {}, draining: false } },
    [service.routes],
  );
  const db = service.store.db;

  async function request(
    method: string,
    path: string,
    init: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    }
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, { method, headers, body }));
    // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
    return { status: response.status, body: (await response.json()) as any, headers: response.headers };
  }

  return {
    app,
    service,
    db,
    metrics,
    lines,
    request,
    post: (path: string, body: unknown, init: { token?: string | null; headers?: Record<string, string> } = {}) =>
      request("POST", path, { ...init, body }),
    /** Registers a fresh account (unique e-mail) and returns its session. */
    async register(overrides: Partial<{ email: string; password: string; name: string }> = {}) {
      const credentials = { email: uniqueEmail(), password: "correct-horse-9", name: "Ann", ...overrides };
      const response = await request("POST", "/auth/register", { body: credentials });
      if (response.status !== 201) throw new Error(`register: ${response.status} ${JSON.stringify(response.body)}`);
      return {
        ...credentials,
        id: response.body.data.user.id as string,
        tokens: response.body.data.tokens as { access_token: string; refresh_token: string },
      };
    },
    /** Rows per table the auth service writes, to prove a rejected request wrote nothing. */
    async counts() {
      const [row] = await db.execute<{ users: number; refresh_tokens: number; reset_tokens: number; audit: number; tenants: number }>(sql`
        select (select count(*)::int from users) as users, (select count(*)::int from refresh_tokens) as refresh_tokens,
               (select count(*)::int from password_reset_tokens) as reset_tokens, (select count(*)::int from audit_logs) as audit,
               (select count(*)::int from tenants) as tenants`);
      return row!;
    },
    async audit(action: string) {
      return db.select().from(schema.auditLogs).where(eq(schema.auditLogs.action, action));
    },
    /** A tenant with one admin (password "admin-password-1"), straight into the database. */
    async tenantWithAdmin(slugLabel = "acme") {
      const [tenant] = await db
        .insert(schema.tenants)
        .values({ name: slugLabel, slug: `${slugLabel}-${crypto.randomUUID().slice(0, 8)}` })
        .returning();
      const admin = await this.member(tenant!.id, "admin");
      return { tenant: tenant!, admin };
    },
    async member(tenantId: string, role: "user" | "organizer" | "admin") {
      const email = uniqueEmail(role);
      const [user] = await db
        .insert(schema.users)
        .values({
          email,
          name: role,
          role,
          tenantId,
          passwordHash: await Bun.password.hash("admin-password-1", { algorithm: "bcrypt", cost: 4 }),
        })
        .returning();
      const token = await signAccessToken({ id: user!.id, email, role, tenant_id: tenantId }, { secret: jwtSecret, ttlSeconds: 900 });
      return { ...user!, token };
    },
    async close() {
      await service.close();
      await database.drop();
    },
  };
}

export type AuthFixture = Awaited<ReturnType<typeof authFixture>>;

export const uniqueEmail = (prefix = "ann") => `${prefix}-${crypto.randomUUID().slice(0, 12)}@example.com`;

/** A fresh client address per test, for the address buckets (the fixture trusts X-Forwarded-For). */
export const uniqueAddress = () => `10.${randomByte()}.${randomByte()}.${randomByte()}`;
const randomByte = () => Math.floor(Math.random() * 256);

export interface SinkMessage {
  id: string;
  subject: string;
  text: string;
  to: { address: string }[];
}

/** Messages in the MailDev sink addressed to `address` (each test uses its own addresses). */
export async function messagesTo(address: string): Promise<SinkMessage[]> {
  const response = await fetch(`${sinkApi}/email`);
  if (!response.ok) throw new Error(`mail sink: ${response.status}`);
  const messages = (await response.json()) as SinkMessage[];
  return messages.filter((message) => message.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
}
