import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CatalogFixture, catalogFixture } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";

let fixture: CatalogFixture;

beforeAll(async () => {
  // A refill of a token every 2 s: slow enough that the burst and the refused request fit in it
  // on a loaded machine, fast enough that the refill is seen in a few seconds.
  fixture = await catalogFixture("catalog_rate_limit", { rateLimit: { perMinute: 30, burst: 3 } });
});

afterAll(() => fixture.close());

const randomAddress = () => `198.51.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const from = (address: string) => ({ "x-forwarded-for": address });

describe("the API's default rate limit on the catalog", () => {
  test("a client's burst is served, the next request is 429 with Retry-After, another client is unaffected, tokens refill", async () => {
    const client = randomAddress();
    for (let index = 0; index < 3; index += 1)
      expect((await fixture.request("GET", "/categories", null, undefined, from(client))).status).toBe(200);
    const refused = await fixture.app.handle(new Request("http://localhost/api/v1/events", { headers: from(client) }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");

    expect((await fixture.request("GET", "/categories", null, undefined, from(randomAddress()))).status).toBe(200);
    await eventually(async () => expect((await fixture.request("GET", "/categories", null, undefined, from(client))).status).toBe(200), {
      timeoutMs: 6_000,
      intervalMs: 200,
    });
  });

  test("concurrent requests of one client: exactly the burst gets through", async () => {
    // A slow refill (one token a minute), so however long the ten take, no token comes back meanwhile.
    const slow = await catalogFixture("catalog_rate_limit_slow", { rateLimit: { perMinute: 1, burst: 3 } });
    try {
      const client = randomAddress();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => slow.request("GET", "/categories", null, undefined, from(client))),
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(7);
    } finally {
      await slow.close();
    }
  });
});
