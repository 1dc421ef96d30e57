import { Elysia, t } from "elysia";
import { errorBody, okSchema } from "../envelope";
import { AppError } from "../errors";

/** A readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface Readiness {
  checks: Record<string, ReadinessCheck>;
  /** Set on SIGTERM so the load balancer stops sending traffic before the server closes. */
  draining: boolean;
}

const checkTimeoutMs = 1_000;

async function runCheck(check: ReadinessCheck): Promise<"up" | "down"> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), checkTimeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return "up";
  } catch {
    return "down";
  } finally {
    clearTimeout(timer);
  }
}

const checksSchema = t.Record(t.String(), t.Union([t.Literal("up"), t.Literal("down")]));

/**
 * /healthz: the process is alive. /readyz: every dependency this process uses answers.
 * While draining, every response also closes its connection: a keep-alive client (a proxy, a
 * pooled HTTP client) then opens its next connection elsewhere instead of sending on one the
 * server is about to close.
 */
export const healthPlugin = (readiness: Readiness) =>
  new Elysia({ name: "kernel.health" })
    .onRequest(({ set }) => {
      if (readiness.draining) set.headers.connection = "close";
    })
    .get("/healthz", () => ({ success: true as const, data: { status: "alive" as const } }), {
      response: okSchema(t.Object({ status: t.Literal("alive") })),
      detail: { summary: "Liveness", tags: ["operations"] },
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const names = Object.keys(readiness.checks);
        const results = await Promise.all(names.map((name) => runCheck(readiness.checks[name]!)));
        const checks = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
        if (readiness.draining || results.includes("down")) {
          set.status = 503;
          const reason = readiness.draining ? "Shutting down" : "A dependency is unavailable";
          return errorBody(new AppError("SERVICE_UNAVAILABLE", reason, { checks, draining: readiness.draining }));
        }
        return { success: true as const, data: { status: "ready" as const, checks } };
      },
      {
        detail: { summary: "Readiness: every dependency of this process answers", tags: ["operations"] },
        response: { 200: okSchema(t.Object({ status: t.Literal("ready"), checks: checksSchema })), 503: t.Any() },
      },
    );
