/**
 * The waiting room across a Sentinel failover: buyers join through the API and the admitter's
 * script runs (durable: acknowledged once a replica has it) while the master is replaced. Every
 * acknowledged place and every acknowledged pass must be on the new master.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { masterAddress as masterOf, replicasLinked, sentinelClient } from "@booking-rush/test-support/redis-topology";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { queueAdmitScript } from "../src/booking-scripts";
import { lineOf, passesOf, writeQueueRoom } from "./support/queue-room";

const { masterName } = stackConfig.redis;
const sentinel = sentinelClient();
let fixture: BookingFixture;

const replicaLinked = () => replicasLinked(sentinel);

beforeAll(async () => {
  await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });
  fixture = await bookingFixture();
});
afterAll(async () => {
  await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });
  await fixture.close();
  sentinel.disconnect();
});

describe("the waiting room across a Sentinel failover", () => {
  test("a failover in the middle of admission loses no acknowledged place and no acknowledged pass", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10_000, price: 1 }], { opensAt: new Date(Date.now() - 1_000) });
    await writeQueueRoom(fixture.redis, sale.eventId, { ratePerMinute: 60_000, maxActive: 100_000, order: "fifo" });
    const buyers = await Promise.all(
      Array.from({ length: 600 }, async () => {
        const id = crypto.randomUUID();
        return { id, token: await tokenFor(id) };
      }),
    );
    const before = await masterOf(sentinel);
    const joined = new Set<string>();
    const passes = new Map<string, string>();
    const outcomes = new Map<string, number>();
    const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    let failover: Promise<unknown> | undefined;

    // Waves of 50 concurrent joins, each with an admission step beside it; the failover after the 4th.
    for (let wave = 0; wave < 12; wave += 1) {
      if (wave === 4) failover = sentinel.call("SENTINEL", "FAILOVER", masterName);
      const joins = buyers.slice(wave * 50, wave * 50 + 50).map(async (buyer) => {
        const response = await fixture.app.handle(
          new Request("http://localhost/api/v1/queue/join", {
            method: "POST",
            headers: { authorization: `Bearer ${buyer.token}`, "content-type": "application/json" },
            body: JSON.stringify({ event_id: sale.eventId }),
          }),
        );
        count(`join ${response.status}`);
        if (response.status === 200) joined.add(buyer.id);
        else expect(response.status).toBe(503);
      });
      const step = queueAdmitScript(fixture.service.store.scripts, { eventId: sale.eventId, intervalMs: 100, batchMax: 1_000 }).then(
        (result) => {
          count("admit ok");
          for (const [user, passId] of result.admitted) passes.set(user, passId);
        },
        () => count("admit failed"),
      );
      await Promise.all([...joins, step]);
    }
    expect(await failover).toBe("OK");
    await eventually(async () => expect(await masterOf(sentinel)).not.toBe(before), { timeoutMs: 30_000, intervalMs: 100 });
    await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });
    console.info("queue failover outcomes", Object.fromEntries(outcomes), "joined", joined.size, "passes", passes.size);

    const line = await lineOf(fixture.redis, sale.eventId);
    const live = await passesOf(fixture.redis, sale.eventId);
    // Every acknowledged pass is there, the same pass; every acknowledged place is in line or admitted.
    for (const [user, passId] of passes) expect({ user, pass: live[user] }).toEqual({ user, pass: passId });
    const lineSet = new Set(line);
    for (const user of joined) expect(lineSet.has(user) || Object.hasOwn(live, user), user).toBe(true);
    // Nobody is both waiting and admitted, nobody holds two places, no pass id twice.
    for (const user of Object.keys(live)) expect(lineSet.has(user)).toBe(false);
    expect(lineSet.size).toBe(line.length);
    expect(new Set(Object.values(live)).size).toBe(Object.keys(live).length);
    expect(await fixture.redis.zcard(sale.keys.queueActive)).toBe(Object.keys(live).length);
    expect(joined.size).toBeGreaterThan(0);
    expect(passes.size).toBeGreaterThan(0);
  });
});
