/**
 * The web app's API client (services/web/src/client/api.ts) against the real auth, catalog and
 * booking services on the local stack. The browser's parts the client uses are given as a browser
 * has them: `fetch` on the page's origin (the platform's app) and `localStorage` (Bun has none).
 * What it must do: one refresh on a 401 and the request again with the same Idempotency-Key, a
 * fresh key per POST, and every failure as an ApiError with the code, details and X-Request-ID.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ApiError, request, type Tokens, tokenStore } from "@booking-rush/web/client/api";
import { installPageGlobals } from "./support/page-globals";
import { type PlatformFixture, platformFixture } from "./support/platform";

let platform: PlatformFixture;
const sent: { method: string; path: string; authorization: string | null; idempotencyKey: string | null; status: number }[] = [];
let page: ReturnType<typeof installPageGlobals>;

beforeAll(async () => {
  platform = await platformFixture("web_client");
  page = installPageGlobals(async (outgoing) => {
    const response = await platform.app.handle(outgoing);
    const url = new URL(outgoing.url);
    sent.push({
      method: outgoing.method,
      path: url.pathname,
      authorization: outgoing.headers.get("authorization"),
      idempotencyKey: outgoing.headers.get("idempotency-key"),
      status: response.status,
    });
    return response;
  });
});
afterAll(async () => {
  page?.restore();
  await platform?.close();
});

async function loggedInBuyer(): Promise<Tokens> {
  const buyer = await platform.buyer();
  const tokens = { access_token: buyer.token, refresh_token: buyer.refreshToken };
  tokenStore.set(tokens);
  return tokens;
}

describe("the web app's API client", () => {
  test("a 401 is refreshed once and the POST sent again with the same Idempotency-Key: one hold", async () => {
    const sale = await platform.publishedEvent();
    const tokens = await loggedInBuyer();
    // An access token the server refuses (as an expired one): the refresh token is still good.
    tokenStore.set({ ...tokens, access_token: `${tokens.access_token}x` });
    sent.length = 0;
    const booking = await request<{ booking_id: string; status: string }>("/bookings/reserve", {
      method: "POST",
      body: { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 },
    });
    expect(booking.status).toBe("reserved");
    expect(sent.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "POST /api/v1/bookings/reserve 401",
      "POST /api/v1/auth/refresh 200",
      "POST /api/v1/bookings/reserve 201",
    ]);
    expect(sent[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[2]!.idempotencyKey).toBe(sent[0]!.idempotencyKey);
    const renewed = tokenStore.get()!;
    expect(renewed.access_token).not.toBe(tokens.access_token);
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect(sent[2]!.authorization).toBe(`Bearer ${renewed.access_token}`);
    // One hold, not two.
    const mine = await request<{ booking_id: string }[]>("/bookings");
    expect(mine.map((held) => held.booking_id)).toEqual([booking.booking_id]);
  });

  test("each POST has its own Idempotency-Key; a GET has none", async () => {
    const sale = await platform.publishedEvent();
    await loggedInBuyer();
    sent.length = 0;
    await request("/bookings/reserve", { method: "POST", body: { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 } });
    await request("/bookings/reserve", { method: "POST", body: { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 } });
    await request("/bookings");
    const [first, second, list] = sent;
    expect(first!.idempotencyKey).not.toBe(second!.idempotencyKey);
    expect(list!.idempotencyKey).toBeNull();
    expect((await request<unknown[]>("/bookings")).length).toBe(2);
  });

  test("a refresh token that no longer works ends the session: UNAUTHORIZED, the tokens gone", async () => {
    const tokens = await loggedInBuyer();
    await request("/auth/logout", { method: "POST", body: { refresh_token: tokens.refresh_token } });
    tokenStore.set({ ...tokens, access_token: `${tokens.access_token}x` });
    sent.length = 0;
    const failure = await request("/bookings").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe("UNAUTHORIZED");
    expect(sent.map((call) => `${call.path} ${call.status}`)).toEqual(["/api/v1/bookings 401", "/api/v1/auth/refresh 401"]);
    expect(tokenStore.get()).toBeNull();
  });

  test("a refused request is an ApiError with its code, details, X-Request-ID and the buyer's message", async () => {
    const sale = await platform.publishedEvent();
    await loggedInBuyer();
    const [seat] = sale.seatIds;
    await request("/bookings/reserve", { method: "POST", body: { show_id: sale.show.id, seat_ids: [seat] } });
    // The same seat again, by another buyer.
    await loggedInBuyer();
    const failure = (await request("/bookings/reserve", { method: "POST", body: { show_id: sale.show.id, seat_ids: [seat] } }).catch(
      (error: unknown) => error,
    )) as ApiError;
    expect(failure).toBeInstanceOf(ApiError);
    expect({ code: failure.code, status: failure.status }).toEqual({ code: "SEAT_UNAVAILABLE", status: 409 });
    expect(failure.details?.seat_ids).toEqual([seat]);
    expect(failure.requestId).toMatch(/.+/);
    expect(failure.humanMessage).toContain("Someone else took one of those seats");
  });
});
