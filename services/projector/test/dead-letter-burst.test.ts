/**
 * A backlog full of events that can never apply (the incident: a large sale, many rejected events
 * in one batch). Dead-lettering them in one produce request was refused as larger than the broker
 * accepts, the idempotent producer's retry then hit OUT_OF_ORDER_SEQUENCE_NUMBER and the consumer
 * crashed for good. Now the sends are sized to the broker's limits and a failed one replaces the
 * producer: every rejected event reaches the dead-letter topic and the projector goes on applying.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createKafka, type Message } from "@booking-rush/lib/clients";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { createMetrics } from "@booking-rush/lib/observability";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { createProjector } from "../src/projector-consumer";
import { createProjectorMetrics } from "../src/projector-metrics";

const kafka = createKafka(stackConfig.kafka, testLogger, "dead-letter-burst-test");
const deadLetterTopic = `projector.dead-letter.burst-${crypto.randomUUID()}`;
const burst = 10_000;
let catalog: CatalogFixture;

beforeAll(async () => {
  catalog = await catalogFixture("dead_letter_burst");
});

afterAll(async () => {
  await catalog.close();
});

/** A booking.created message as the relay writes it (lib's booking message contract). */
function bookingCreated(booking: {
  bookingId: string;
  userId: string;
  eventId: string;
  showId: string;
  zoneId: string;
  seq: number;
  seatIds?: string[];
}): Message {
  const now = Date.now();
  const data = {
    booking_id: booking.bookingId,
    user_id: booking.userId,
    event_id: booking.eventId,
    show_id: booking.showId,
    zone_id: booking.zoneId,
    quantity: booking.seatIds?.length ?? 1,
    status: "reserved",
    created_at_ms: now,
    expires_at_ms: now + 600_000,
    seq: booking.seq,
    ...(booking.seatIds ? { seat_ids: booking.seatIds } : {}),
  };
  const eventId = `booking.created:${booking.bookingId}`;
  return {
    key: booking.eventId,
    value: JSON.stringify({ event_id: eventId, type: "booking.created", occurred_at: new Date(now).toISOString(), seq: booking.seq, data }),
    headers: { event_id: eventId, type: "booking.created" },
  };
}

describe("projector dead-letter burst", () => {
  test(`${burst.toLocaleString("en")} rejected events: all in the dead-letter topic, and a good event after them is applied`, async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
    const userId = acme.organizer.id;

    // Keyed by the sale's event: one partition, the burst first and the good event behind it.
    // Each names a zone that does not exist (rejected: "unknown zone").
    const rejected = Array.from({ length: burst }, (_, index) =>
      bookingCreated({
        bookingId: crypto.randomUUID(),
        userId,
        eventId: sale.event.id,
        showId: sale.show.id,
        zoneId: crypto.randomUUID(),
        seq: index + 1,
      }),
    );
    const goodBookingId = crypto.randomUUID();
    const good = bookingCreated({
      bookingId: goodBookingId,
      userId,
      eventId: sale.event.id,
      showId: sale.show.id,
      zoneId: sale.general.id,
      seq: 1,
    });

    const groupId = await groupAtEnd(kafka, "dead-letter-burst", bookingTopics);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      // Record batches of ~0.9 MB (each message ~0.5 KB): the projector fetches one at a time, and
      // their dead-letter copies, a little larger with the reason headers, exceed what the broker
      // accepts in one request (message.max.bytes, 1 MB).
      for (let from = 0; from < rejected.length; from += 1_400)
        await producer.send({ topic: "booking.created", acks: -1, messages: rejected.slice(from, from + 1_400) });
      await producer.send({ topic: "booking.created", acks: -1, messages: [good] });
    } finally {
      await producer.disconnect();
    }

    const metrics = createProjectorMetrics(createMetrics("dead-letter-burst-test"));
    // A batch as large as the settings allow: the whole fetched backlog is rejected in one flush.
    const projector = createProjector(
      { kafka, db: catalog.db, logger: testLogger, metrics },
      { groupId, batchSize: 10_000, flushIntervalMs: 1_000, reorderWaitMs: 2_000, deadLetterTopic, topics: stackConfig.kafka.topics },
    );
    await projector.start();
    try {
      await eventually(
        async () =>
          expect(
            await catalog.asSystem((tx) =>
              tx.select({ status: schema.bookings.status }).from(schema.bookings).where(eq(schema.bookings.reservationId, goodBookingId)),
            ),
          ).toEqual([{ status: "reserved" }]),
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      expect(projector.supervised.running).toBe(true);
      expect(projector.supervised.restarts).toBe(0);
      const applied = (await metrics.events.get()).values.find((value) => value.labels.result === "applied")?.value ?? 0;
      expect(applied).toBeGreaterThanOrEqual(1);
    } finally {
      await projector.stop();
    }

    // Everything rejected is in the dead-letter topic: read it to its end offsets and count by event id.
    const collector = await collectMessages(kafka, [sale.event.id], [deadLetterTopic]);
    try {
      const messages = await collector.caughtUp(60_000);
      const ids = new Set(messages.map((message) => message.body.event_id));
      expect(ids.size).toBe(burst);
      for (const message of rejected) expect(ids.has(JSON.parse(String(message.value)).event_id)).toBe(true);
      expect(new Set(messages.map((message) => message.headers.dead_letter_reason))).toEqual(new Set(["unknown zone"]));
    } finally {
      await collector.stop();
    }
  }, 150_000);
});
