import { Counter, type Metrics } from "@booking-rush/lib/observability";

export function createAuthMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    logins: new Counter({
      name: "auth_logins_total",
      help: "Login attempts by result: success, failed, disabled, rate_limited",
      labelNames: ["result"],
      registers,
    }),
    registrations: new Counter({
      name: "auth_registrations_total",
      help: "Registrations by result: created, conflict, rate_limited",
      labelNames: ["result"],
      registers,
    }),
    refreshes: new Counter({
      name: "auth_token_refreshes_total",
      help: "Refresh-token presentations by result: rotated, invalid, expired, reuse_detected",
      labelNames: ["result"],
      registers,
    }),
    passwordResets: new Counter({
      name: "auth_password_resets_total",
      help: "Password resets by stage: requested (a token was e-mailed), completed, rejected",
      labelNames: ["stage"],
      registers,
    }),
    emails: new Counter({
      name: "auth_emails_total",
      help: "E-mails handed to SMTP by result: sent, failed",
      labelNames: ["result"],
      registers,
    }),
    rateLimited: new Counter({
      name: "auth_rate_limited_total",
      help: "Requests refused by a rate limit, by rule",
      labelNames: ["rule"],
      registers,
    }),
    rateLimitLocal: new Counter({
      name: "auth_rate_limit_local_total",
      help: "Requests counted in this process's own bucket because Redis could not write the shared one, by rule",
      labelNames: ["rule"],
      registers,
    }),
  };
}

export type AuthMetrics = ReturnType<typeof createAuthMetrics>;
