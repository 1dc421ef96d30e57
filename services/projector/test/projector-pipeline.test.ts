/**
 * The projector on the real pipeline: catalog publishes, buyers reserve/confirm/cancel/expire
 * through the booking service, the outbox relay sends to Kafka, the projector writes PostgreSQL.
 * Afterwards PostgreSQL equals Redis for every zone once the projector reached the zone's sequence.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { loadConfig } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { createMetrics } from "@booking-rush/lib/observability";
import { type BookingFixture, bookingFixture, confirmPaid, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { stack, startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { zoneCaughtUp, bothSides as zoneSides } from "@booking-rush/test-support/zone-sides";
import { eq } from "drizzle-orm";
import { createProjector } from "../src/projector-consumer";
import { createProjectorMetrics } from "../src/projector-metrics";
import { projectorSettings } from "../src/settings";

let catalog: CatalogFixture;
let booking: BookingFixture;
let relay: ReturnType<typeof startTestRelay>;
let buyers: { id: string; token: string }[];
const deadLetterTopic = `projector.dead-letter.test-${crypto.randomUUID()}`;

beforeAll(async () => {
  catalog = await catalogFixture("projector_pipeline");
  booking = await bookingFixture({ holdMs: 1_500 });
  relay = startTestRelay(booking.redis);
  buyers = await Promise.all((await catalog.buyers(12, "pipeline")).map(async (row) => ({ id: row.id, token: await tokenFor(row.id) })));
});

afterAll(async () => {
  await relay.stop();
  await booking.close();
  await catalog.close();
});

async function startProjector() {
  const config = {
    ...loadConfig({ projector: projectorSettings }, {}).projector,
    groupId: await groupAtEnd(testKafka, "projector-test", bookingTopics),
    flushIntervalMs: 100,
    deadLetterTopic,
    topics: stackConfig.kafka.topics,
  };
  const metrics = createProjectorMetrics(createMetrics("projector-test"));
  const projector = createProjector({ kafka: testKafka, db: catalog.db, logger: testLogger, metrics }, config);
  return { projector, metrics, started: projector.start() };
}

async function publishedSale() {
  const acme = await catalog.tenant("acme");
  const sale = await draftWithZones(catalog, acme.organizerToken);
  expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  return sale;
}

const bothSides = (eventId: string, zoneId: string) => zoneSides(booking.redis, catalog, eventId, zoneId);
const caughtUp = (eventId: string, zoneId: string) => zoneCaughtUp(booking.redis, catalog, eventId, zoneId);

describe("projector on the real pipeline", () => {
  test("reserve, confirm, cancel and expire reach PostgreSQL; the zone equals Redis at the same sequence", async () => {
    const sale = await publishedSale();
    const { projector, metrics } = await startProjector();
    const lastApplied = async () => (await metrics.lastApplied.get()).values[0]?.value ?? 0;
    // Nothing written yet by this projector: its last-applied time is 0 until the first batch.
    expect(await lastApplied()).toBe(0);
    const startedAt = Math.floor(Date.now() / 1000);
    try {
      const holds = await Promise.all(
        buyers.slice(0, 8).map(async (buyer, index) => {
          const response = await post(booking, "/bookings/reserve", buyer.token, {
            show_id: sale.show.id,
            zone_id: sale.general.id,
            quantity: 1 + (index % 2),
          });
          expect(response.status).toBe(201);
          return { buyer, bookingId: response.body.data.booking_id as string };
        }),
      );
      for (const hold of holds.slice(0, 3)) expect((await confirmPaid(booking, hold.bookingId, crypto.randomUUID())).status).toBe(200);
      for (const hold of holds.slice(3, 5))
        expect((await post(booking, `/bookings/${hold.bookingId}/cancel`, hold.buyer.token, {})).status).toBe(200);
      // The rest run out (a confirm after the hold expires closes it in Redis).
      await Bun.sleep(1_600);
      for (const hold of holds.slice(5)) expect((await confirmPaid(booking, hold.bookingId, crypto.randomUUID())).status).toBe(410);

      await caughtUp(sale.event.id, sale.general.id);
      const rows = await catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.zoneId, sale.general.id)));
      const statusOf = new Map(rows.map((row) => [row.reservationId, row.status]));
      expect(holds.map((hold) => statusOf.get(hold.bookingId))).toEqual([
        "confirmed",
        "confirmed",
        "confirmed",
        "cancelled",
        "cancelled",
        "expired",
        "expired",
        "expired",
      ]);
      // Every batch written moves projector_last_applied_timestamp_seconds.
      expect(await lastApplied()).toBeGreaterThanOrEqual(startedAt);
      expect(await lastApplied()).toBeLessThanOrEqual(Date.now() / 1000);
    } finally {
      await projector.stop();
    }
  }, 120_000);

  test("a poison message goes to the dead-letter topic with its reason and the projector carries on", async () => {
    const sale = await publishedSale();
    const { projector } = await startProjector();
    const producer = testKafka.producer();
    try {
      await producer.connect();
      await producer.send({ topic: "booking.created", messages: [{ key: sale.event.id, value: "{not json" }] });
      const response = await post(booking, "/bookings/reserve", buyers[8]!.token, {
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 2,
      });
      expect(response.status).toBe(201);
      await caughtUp(sale.event.id, sale.general.id);

      const consumer = testKafka.consumer({ groupId: `dead-letter-reader-${crypto.randomUUID()}` });
      const dead: { value: string; reason: string }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          dead.push({ value: String(message.value), reason: String(message.headers?.dead_letter_reason) });
        },
      });
      try {
        await eventually(() => expect(dead).toContainEqual({ value: "{not json", reason: "not JSON" }), {
          timeoutMs: 30_000,
          intervalMs: 100,
        });
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await producer.disconnect();
      await projector.stop();
    }
  }, 120_000);

  test("PostgreSQL down for a while: the projector retries, catches up, nothing lost", async () => {
    const sale = await publishedSale();
    const { projector, metrics } = await startProjector();
    let postgresStopped = false;
    try {
      stack("down", "postgres");
      postgresStopped = true;
      for (const buyer of buyers.slice(9, 12)) {
        expect(
          (await post(booking, "/bookings/reserve", buyer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 })).status,
        ).toBe(201);
      }
      await eventually(async () => expect((await metrics.flushFailures.get()).values[0]?.value ?? 0).toBeGreaterThan(0), {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      stack("up");
      postgresStopped = false;
      await caughtUp(sale.event.id, sale.general.id);
      expect((await bothSides(sale.event.id, sale.general.id)).database).toMatchObject({ reserved: 3, seq: 3 });
    } finally {
      if (postgresStopped) stack("up");
      await projector.stop();
    }
  }, 180_000);
});
