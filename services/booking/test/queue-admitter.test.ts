/**
 * The queue-admitter as deployed: real processes (two replicas, leader only), real Redis through
 * Sentinel. Admission is measured over time from what Redis recorded: each batch's time and pass
 * ids ({ev:E}:queue-admissions) and each pass's expiry.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { spawnWorker } from "@booking-rush/test-support/worker-process";
import { lineOf, type QueueRoom, writeQueueRoom } from "./support/queue-room";

let fixture: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
});
afterAll(() => fixture.close());

/** Test ports of this worktree's range. */
const ports = [7441, 7442, 7443];
const admitterEnv = (intervalMs: number) => ({ QUEUE_ADMIT_INTERVAL_MS: String(intervalMs), LEADER_ELECTION: "redis" });

async function queuedSale(room: QueueRoom, waiting: number) {
  const sale = await fixture.publish([{ kind: "general", total: 10_000, price: 1 }], { opensAt: new Date(Date.now() - 1_000) });
  await writeQueueRoom(fixture.redis, sale.eventId, room);
  const buyers = await Promise.all(
    Array.from({ length: waiting }, async () => {
      const id = crypto.randomUUID();
      return { id, token: await tokenFor(id) };
    }),
  );
  // One at a time: the places are the order of this list.
  for (const buyer of buyers) {
    const response = await fixture.app.handle(
      new Request("http://localhost/api/v1/queue/join", {
        method: "POST",
        headers: { authorization: `Bearer ${buyer.token}`, "content-type": "application/json" },
        body: JSON.stringify({ event_id: sale.eventId }),
      }),
    );
    expect(response.status).toBe(200);
  }
  return { ...sale, buyers };
}

/** Every admission batch Redis recorded (the last minute's): time and how many. */
async function batches(key: string) {
  const flat = await fixture.redis.zrange(key, "0", "-1", "WITHSCORES");
  const result: { at: number; firstPass: number; count: number }[] = [];
  for (let index = 0; index < flat.length; index += 2) {
    const [firstPass, count] = flat[index]!.split(":").map(Number);
    result.push({ at: Number(flat[index + 1]), firstPass: firstPass!, count: count! });
  }
  return result.sort((a, b) => a.at - b.at);
}

describe("queue-admitter processes", () => {
  test("two replicas admit as one: never over the rate or the active cap, nobody twice; the other takes over when the leader stops", async () => {
    const room = { ratePerMinute: 600, maxActive: 15, passTtlMs: 3_000, order: "fifo" as const };
    const sale = await queuedSale(room, 300);
    const replicas = ports.slice(0, 2).map((port) => spawnWorker("booking/bin/queue-admitter.ts", admitterEnv(100), port));
    const stopped = new Set<number>();
    try {
      await Promise.all(replicas.map((replica) => replica.ready()));
      const leaderOf = async () => {
        for (const [index, replica] of replicas.entries()) {
          if (stopped.has(index)) continue;
          if (/^queue_depth\{[^}]*event_id="/m.test(await replica.metrics())) return index;
        }
        throw new Error("no replica exports a queue depth yet");
      };
      const leader = await eventually(leaderOf, { timeoutMs: 20_000, intervalMs: 100 });
      // Admission under way for a few seconds, then the leader stops.
      await eventually(async () => expect(Number(await fixture.redis.hget(sale.keys.queueState, "pass_seq"))).toBeGreaterThanOrEqual(20), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      const stoppedAt = Number((await fixture.redis.time())[0]) * 1000;
      replicas[leader]!.child.kill("SIGTERM");
      stopped.add(leader);
      expect(await replicas[leader]!.child.exited).toBe(0);
      const handedOver = Number(await fixture.redis.hget(sale.keys.queueState, "pass_seq"));
      await eventually(
        async () => expect(Number(await fixture.redis.hget(sale.keys.queueState, "pass_seq"))).toBeGreaterThanOrEqual(handedOver + 20),
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      const survivor = replicas[1 - leader]!;
      await eventually(
        async () => {
          const text = await survivor.metrics();
          expect(text).toMatch(new RegExp(`^queue_admitted_total\\{[^}]*event_id="${sale.eventId}"[^}]*\\} [1-9]`, "m"));
          expect(text).toMatch(new RegExp(`^queue_depth\\{[^}]*event_id="${sale.eventId}"[^}]*\\} \\d+`, "m"));
          expect(text).toMatch(new RegExp(`^queue_active_buyers\\{[^}]*event_id="${sale.eventId}"[^}]*\\} \\d+`, "m"));
          expect(text).toMatch(/^queue_wait_seconds_count\{[^}]*\} [1-9]/m);
        },
        { timeoutMs: 10_000 },
      );
      survivor.child.kill("SIGTERM");
      stopped.add(1 - leader);
      expect(await survivor.child.exited).toBe(0);

      const admissions = await batches(sale.keys.queueAdmissions);
      const admitted = admissions.reduce((sum, batch) => sum + batch.count, 0);
      const passSeq = Number(await fixture.redis.hget(sale.keys.queueState, "pass_seq"));
      // Every pass is in a recorded batch, ids consecutive: nothing admitted unrecorded.
      expect(admitted).toBe(passSeq);
      admissions.forEach((batch, index) => {
        if (index > 0) expect(batch.firstPass).toBe(admissions[index - 1]!.firstPass + admissions[index - 1]!.count);
      });
      // Nobody twice: each admission took one buyer out of the line, and the line lost exactly that many.
      const line = await lineOf(fixture.redis, sale.eventId);
      expect(line.length).toBe(300 - admitted);
      expect(line).toEqual(sale.buyers.slice(admitted).map((buyer) => buyer.id));
      // The rate: in any second, at most 10 (600 a minute) plus the bucket of one 100 ms interval (1).
      for (const batch of admissions) {
        const inWindow = admissions.filter((other) => other.at >= batch.at && other.at < batch.at + 1_000);
        expect(inWindow.reduce((sum, other) => sum + other.count, 0)).toBeLessThanOrEqual(11);
      }
      // The cap: a pass holds its slot from admission to expiry (nobody buys here); never more than 15 at once.
      for (const batch of admissions) {
        const holding = admissions.filter((other) => other.at <= batch.at && batch.at < other.at + room.passTtlMs);
        expect(holding.reduce((sum, other) => sum + other.count, 0)).toBeLessThanOrEqual(15);
      }
      // The cap is what bounds it here (15 per 3 s), and the admitters kept to it rather than idling.
      const span = (admissions.at(-1)!.at - admissions[0]!.at) / 1000;
      expect(admitted).toBeGreaterThanOrEqual(Math.floor(span / 3) * 15 * 0.5);
      // Admission went on after the leader stopped.
      expect(admissions.some((batch) => batch.at > stoppedAt)).toBe(true);
    } finally {
      for (const [index, replica] of replicas.entries()) if (!stopped.has(index)) replica.child.kill("SIGTERM");
      await Promise.all(replicas.map((replica) => replica.child.exited));
    }
  });

  test("the ETA a buyer is told is within 30% of the wait they then have, at a fixed rate", async () => {
    // 120 a minute: one buyer every 500 ms.
    const sale = await queuedSale({ ratePerMinute: 120, maxActive: 1_000, order: "fifo" }, 40);
    const admitter = spawnWorker("booking/bin/queue-admitter.ts", admitterEnv(250), ports[2]);
    try {
      await admitter.ready();
      // The rate is measured once a few batches were admitted.
      await eventually(async () => expect(Number(await fixture.redis.hget(sale.keys.queueState, "pass_seq"))).toBeGreaterThanOrEqual(5), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
      const line = await lineOf(fixture.redis, sale.eventId);
      const buyer = sale.buyers.find((candidate) => candidate.id === line[14])!;
      const statusOf = async () => {
        const response = await fixture.app.handle(
          new Request(`http://localhost/api/v1/queue/status?event_id=${sale.eventId}`, {
            headers: { authorization: `Bearer ${buyer.token}` },
          }),
        );
        return ((await response.json()) as { data: { status: string; position: number | null; eta_seconds: number | null } }).data;
      };
      const asked = performance.now();
      const told = await statusOf();
      // 15th when the line was read; one or two may have been admitted since.
      expect(told.status).toBe("waiting");
      expect(told.position).toBeGreaterThanOrEqual(12);
      expect(told.position).toBeLessThanOrEqual(15);
      await eventually(async () => expect((await statusOf()).status).toBe("admitted"), { timeoutMs: 60_000, intervalMs: 50 });
      const waitedSeconds = (performance.now() - asked) / 1000;
      console.info("queue ETA", { told: told.eta_seconds, waited: waitedSeconds.toFixed(2) });
      expect(told.eta_seconds!).toBeGreaterThanOrEqual(waitedSeconds * 0.7);
      expect(told.eta_seconds!).toBeLessThanOrEqual(waitedSeconds * 1.3);
    } finally {
      admitter.child.kill("SIGTERM");
    }
    expect(await admitter.child.exited).toBe(0);
  });
});
