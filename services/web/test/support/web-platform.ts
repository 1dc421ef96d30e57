/**
 * The platform the browser tests open: services/all (the APIs and the web app) as a real process
 * on a free port over a fresh database seeded with the demo data (seededPlatform), plus the
 * workers a test's journey needs, and the API calls a test makes behind the browser's back (a
 * competing buyer's hold, say) through the same public /api/v1 the app uses.
 */
import { expect } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { type PlatformWorker, seededPlatform } from "@booking-rush/test-support/seeded-platform";

// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
type AnswerBody = any;

/** Every UI test registers and logs in from 127.0.0.1: the per-client limits would refuse the second file's buyers. */
const roomyLimits = {
  LOGIN_RATE_PER_MINUTE: "10000",
  LOGIN_RATE_BURST: "1000",
  REGISTER_RATE_PER_MINUTE: "10000",
  REGISTER_RATE_BURST: "1000",
  API_RATE_PER_MINUTE: "100000",
  API_RATE_BURST: "10000",
};

export const buyerPassword = "correct-horse-9";

/**
 * `env`: settings of every process (the platform's and each worker's), e.g. a short
 * RESERVATION_HOLD_SECONDS that the API and the expiry sweeper must agree on.
 */
export async function webPlatform(label: string, workers: PlatformWorker[] = [], env: Record<string, string> = {}) {
  // The production build of the web app (minified, React's production mode): what ships is what is tested.
  // The test's own env wins over the roomy limits: a test of the limits themselves sets tight ones.
  const platform = await seededPlatform({ label, workers, env, platformEnv: { ...roomyLimits, WEB_CLIENT_BUILD: "production", ...env } });

  async function api(method: string, path: string, token: string | null, body?: unknown) {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method === "POST" && (path.startsWith("/bookings") || path.startsWith("/payments")))
      headers["idempotency-key"] = crypto.randomUUID();
    const response = await fetch(platform.url(`/api/v1${path}`), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as AnswerBody };
  }

  /** Logs in through the API; the access token. */
  async function accessToken(email: string, password: string) {
    const login = await api("POST", "/auth/login", null, { email, password });
    expect(login.status).toBe(200);
    return login.body.data.tokens.access_token as string;
  }

  /** The seeded organizer's access token, from a login of its own. */
  const organizerToken = () => accessToken(platform.demo.organizer.email, platform.demoPassword);

  return {
    ...platform,
    api,
    /** The seeded event's title, as scripts/seed.ts names it. */
    demoEventTitle: "Booking Rush Demo Night",
    eventPath: () => `/events/${platform.demo.event_id}`,
    /** A new buyer's e-mail address, unique to this run. */
    newEmail: (name = "buyer") => `${name}-${crypto.randomUUID().slice(0, 12)}@example.com`,
    /** A buyer registered through the API; their access token. */
    async buyer(name = "buyer") {
      const email = `${name}-${crypto.randomUUID().slice(0, 12)}@example.com`;
      const registered = await api("POST", "/auth/register", null, { email, password: buyerPassword, name });
      if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
      return { email, token: registered.body.data.tokens.access_token as string };
    },
    accessToken,
    organizerToken,
    /** The organizer turns the seeded event's waiting room on, with `settings` of it such as its rate. */
    async turnQueueOn(settings: Record<string, unknown> = {}) {
      const queued = await api("PUT", `/events/${platform.demo.event_id}`, await organizerToken(), { queue_enabled: true, ...settings });
      expect(queued.status).toBe(200);
    },
    /** The organizer pauses or resumes admission to the seeded event's waiting room; the API agrees. */
    async setAdmission(action: "pause" | "resume") {
      const answer = await api("POST", `/admin/events/${platform.demo.event_id}/queue/${action}`, await organizerToken());
      expect(answer.status).toBe(200);
      expect(answer.body.data.queue_paused).toBe(action === "pause");
    },
    /**
     * A buyer with two confirmed standing tickets, bought through the API (the platform needs the
     * payment path's workers: outbox-relay, payment-worker, payment-saga, projector): the buyer
     * with the booking and payment ids, once the saga has confirmed it (within `settledWithinMs`).
     */
    async confirmedBuyer(name: string, settledWithinMs: number) {
      const buyer = await this.buyer(name);
      const held = await api("POST", "/bookings/reserve", buyer.token, {
        show_id: platform.demo.show_id,
        zone_id: platform.demo.zones.Standing,
        quantity: 2,
      });
      if (held.status !== 201) throw new Error(`reserve: ${held.status} ${JSON.stringify(held.body)}`);
      const bookingId = held.body.data.booking_id as string;
      const paid = await api("POST", "/payments", buyer.token, { booking_id: bookingId, method: "card" });
      if (paid.status !== 202) throw new Error(`pay: ${paid.status} ${JSON.stringify(paid.body)}`);
      await eventually(
        async () => {
          const booking = await api("GET", `/bookings/${bookingId}`, buyer.token);
          if (booking.body.data?.status !== "confirmed") throw new Error(`booking ${booking.body.data?.status}, not confirmed yet`);
        },
        { timeoutMs: settledWithinMs, intervalMs: 250 },
      );
      return { ...buyer, bookingId, paymentId: paid.body.data.payment_id as string };
    },
    /** The seeded show's zones as the API reports them: name → live `available`. */
    async availability() {
      const zones = await api("GET", `/shows/${platform.demo.show_id}/zones`, null);
      if (zones.status !== 200) throw new Error(`zones: ${zones.status} ${JSON.stringify(zones.body)}`);
      return Object.fromEntries((zones.body.data as { name: string; available: number }[]).map((zone) => [zone.name, zone.available]));
    },
  };
}

export type WebPlatform = Awaited<ReturnType<typeof webPlatform>>;
