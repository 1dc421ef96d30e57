import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AuthFixture, authFixture, uniqueAddress, uniqueEmail } from "./support/auth-fixture";

// login 5/min burst 3 and register 3/min burst 2, as in production; a second service whose login
// refills at 600 a minute (a token every 100 ms) proves the refill without waiting long; a third
// does not trust X-Forwarded-For.
let limited: AuthFixture;
let fast: AuthFixture;
let direct: AuthFixture;
beforeAll(async () => {
  const production = { loginRate: { perMinute: 5, burst: 3 }, registerRate: { perMinute: 3, burst: 2 } };
  [limited, fast, direct] = await Promise.all([
    authFixture("limits", { authService: production }),
    authFixture("limits_fast", { authService: { loginRate: { perMinute: 600, burst: 3 } } }),
    authFixture("limits_direct", { trustProxy: false, authService: production }),
  ]);
});
afterAll(async () => {
  await Promise.all([limited?.close(), fast?.close(), direct?.close()]);
});

const from = (address: string) => ({ headers: { "x-forwarded-for": `${address}, 10.0.0.1` } });

function expectLimited(answer: { status: number; body: { error: { code: string } }; headers: Headers }) {
  expect(answer.status).toBe(429);
  expect(answer.body.error.code).toBe("RATE_LIMITED");
  const retryAfter = Number(answer.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  return retryAfter;
}

describe("login: 5 a minute, burst 3", () => {
  test("the burst is served (right or wrong password), the next is 429 with Retry-After", async () => {
    const ann = await limited.register();
    const address = uniqueAddress();
    expect((await limited.post("/auth/login", { email: ann.email, password: ann.password }, from(address))).status).toBe(200);
    expect((await limited.post("/auth/login", { email: ann.email, password: "wrong-password" }, from(address))).status).toBe(401);
    expect((await limited.post("/auth/login", { email: ann.email, password: ann.password }, from(address))).status).toBe(200);
    const refused = await limited.post("/auth/login", { email: ann.email, password: ann.password }, from(address));
    // One token every 12 s.
    expect(expectLimited(refused)).toBeLessThanOrEqual(12);
    expect(await limited.metrics.registry.metrics()).toMatch(/auth_logins_total\{result="rate_limited"[^}]*\} [1-9]/);
  });

  test("keyed by e-mail: another address does not get more tries at the same account", async () => {
    const email = uniqueEmail();
    for (let index = 0; index < 3; index += 1) {
      expect((await limited.post("/auth/login", { email, password: "guess-number" }, from(uniqueAddress()))).status).toBe(401);
    }
    expectLimited(await limited.post("/auth/login", { email: email.toUpperCase(), password: "guess-number" }, from(uniqueAddress())));
  });

  test("keyed by address: one address does not get more tries by switching accounts", async () => {
    const address = uniqueAddress();
    for (let index = 0; index < 3; index += 1) {
      expect((await limited.post("/auth/login", { email: uniqueEmail(), password: "guess-number" }, from(address))).status).toBe(401);
    }
    expectLimited(await limited.post("/auth/login", { email: uniqueEmail(), password: "guess-number" }, from(address)));
    // Another address with another e-mail is unaffected.
    expect((await limited.post("/auth/login", { email: uniqueEmail(), password: "guess-number" }, from(uniqueAddress()))).status).toBe(401);
  });

  test("ten logins at once from one address: exactly the burst gets through", async () => {
    const address = uniqueAddress();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => limited.post("/auth/login", { email: uniqueEmail(), password: "guess-number" }, from(address))),
    );
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(3);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(7);
  });

  test("tokens refill: after the retry time a login is served again", async () => {
    const ann = await fast.register();
    const address = uniqueAddress();
    // At once, so no token comes back in between (one every 100 ms): the burst passes, the fourth is refused.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => fast.post("/auth/login", { email: ann.email, password: ann.password }, from(address))),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expectLimited(refused);
    const retryAfterMs = refused.body.error.details.retry_after_seconds * 1000;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(100);
    await Bun.sleep(retryAfterMs + 2);
    expect((await fast.post("/auth/login", { email: ann.email, password: ann.password }, from(address))).status).toBe(200);
  });

  test("without TRUST_PROXY, X-Forwarded-For is ignored: a spoofed address buys no extra tries", async () => {
    const email = uniqueEmail();
    for (let index = 0; index < 3; index += 1) {
      expect((await direct.post("/auth/login", { email, password: "guess-number" }, from(uniqueAddress()))).status).toBe(401);
    }
    expectLimited(await direct.post("/auth/login", { email, password: "guess-number" }, from(uniqueAddress())));
  });
});

describe("register: 3 a minute, burst 2", () => {
  test("the burst is served, the next is 429 with Retry-After and creates nothing", async () => {
    const address = uniqueAddress();
    for (let index = 0; index < 2; index += 1) {
      expect(
        (await limited.post("/auth/register", { email: uniqueEmail(), password: "correct-horse-9", name: "Ann" }, from(address))).status,
      ).toBe(201);
    }
    const before = await limited.counts();
    const refused = await limited.post("/auth/register", { email: uniqueEmail(), password: "correct-horse-9", name: "Ann" }, from(address));
    // One token every 20 s.
    expect(expectLimited(refused)).toBeLessThanOrEqual(20);
    expect(await limited.counts()).toEqual(before);
  });

  test("keyed by e-mail too", async () => {
    const email = uniqueEmail();
    expect((await limited.post("/auth/register", { email, password: "correct-horse-9", name: "Ann" }, from(uniqueAddress()))).status).toBe(
      201,
    );
    expect((await limited.post("/auth/register", { email, password: "correct-horse-9", name: "Ann" }, from(uniqueAddress()))).status).toBe(
      409,
    );
    expectLimited(await limited.post("/auth/register", { email, password: "correct-horse-9", name: "Ann" }, from(uniqueAddress())));
  });
});

describe("forgot-password", () => {
  test("limited per e-mail like login, still without telling whether the account exists", async () => {
    const email = uniqueEmail("nobody");
    for (let index = 0; index < 3; index += 1)
      expect((await limited.post("/auth/forgot-password", { email }, from(uniqueAddress()))).status).toBe(202);
    expectLimited(await limited.post("/auth/forgot-password", { email }, from(uniqueAddress())));
  });
});
