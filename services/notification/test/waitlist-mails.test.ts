/**
 * The waitlist's e-mails on the real Kafka, PostgreSQL and SMTP sink: booking.promoted ("Seats are
 * being held for you", the hold's end and the pay link) and booking.waitlist_closed ("The waitlist
 * closed"), each exactly once even when the same message is delivered twice. The messages are
 * written by the test in the booking topics' contract (lib's bookingMessageSchema), as the relay
 * writes what the waitlist scripts put in the outbox.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createMailer, createProducer, type Producer } from "@booking-rush/lib/clients";
import { loadConfig, smtpSettings } from "@booking-rush/lib/config";
import type { BookingState, BookingTopic, bookingMessageSchema } from "@booking-rush/lib/contracts";
import { createMetrics } from "@booking-rush/lib/observability";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { mailsTo } from "@booking-rush/test-support/mail-sink";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { formatMoney, formatTime } from "../src/format";
import { createNotificationMetrics } from "../src/notification-metrics";
import { createNotifier, type HandledMessage, notificationTopics } from "../src/notifier";
import { notificationSettings } from "../src/settings";
import { loadTemplates } from "../src/templates";

let catalog: CatalogFixture;
let producer: Producer;
const waitLong = { timeoutMs: 45_000, intervalMs: 100 };
const smtp = loadConfig({ smtp: smtpSettings }, process.env).smtp;
// A base URL with a trailing slash: the link must still have exactly one.
const config = loadConfig({ notification: notificationSettings }, { PUBLIC_WEB_URL: "https://tickets.example.test/" }).notification;

beforeAll(async () => {
  catalog = await catalogFixture("notification_waitlist");
  producer = createProducer(testKafka);
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await catalog.close();
});

async function buyer() {
  const [row] = await catalog.buyers(1, "wait", "Wes Waiting");
  return { id: row!.id, email: row!.email };
}

async function publishedSale() {
  const acme = await catalog.tenant("acme");
  const sale = await draftWithZones(catalog, acme.organizerToken);
  expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  return sale;
}

/** A booking event as the relay writes it: contract-shaped body, key = concert event id, event_id header. */
async function produceBooking(type: BookingTopic, booking: BookingState) {
  const body: typeof bookingMessageSchema.static = {
    event_id: `${type}:${booking.booking_id}`,
    type,
    occurred_at: new Date().toISOString(),
    seq: booking.seq,
    data: booking,
  };
  const message = { key: booking.event_id, value: JSON.stringify(body), headers: { event_id: body.event_id, type } };
  await producer.send({ topic: type, messages: [message] });
  return { eventId: body.event_id, message };
}

async function startNotifier() {
  const handled: HandledMessage[] = [];
  const mailer = createMailer(smtp);
  const notifier = createNotifier(
    {
      kafka: testKafka,
      db: catalog.db,
      mailer,
      templates: loadTemplates(),
      logger: testLogger,
      metrics: createNotificationMetrics(createMetrics("notification-waitlist-test")),
    },
    {
      ...config,
      groupId: await groupAtEnd(testKafka, "notification-waitlist-test", notificationTopics),
      deadLetterTopic: `notification.dead-letter.test-${crypto.randomUUID()}`,
      retryBaseMs: 50,
      retryMaxMs: 500,
      topics: stackConfig.kafka.topics,
    },
    { afterHandled: (message) => void handled.push(message) },
  );
  const started = notifier.start();
  return {
    resultsOf: (eventId: string) => handled.filter((message) => message.eventId === eventId).map((message) => message.result),
    async stop() {
      await started.catch(() => {});
      await notifier.stop();
      mailer.close();
    },
  };
}

describe("waitlist e-mails", () => {
  test("a promoted booking gets one 'Seats are being held for you' with the hold's end and the pay link, delivered twice", async () => {
    const sale = await publishedSale();
    const wes = await buyer();
    const seats = await catalog.asSystem((tx) =>
      tx
        .select()
        .from(schema.seats)
        .where(eq(schema.seats.zoneId, sale.assigned.id))
        .orderBy(schema.seats.rowLabel, schema.seats.seatNumber),
    );
    const bookingId = crypto.randomUUID();
    const holdEndsAt = Date.UTC(2031, 4, 6, 7, 8);
    const worker = await startNotifier();
    try {
      const promoted = await produceBooking("booking.promoted", {
        booking_id: bookingId,
        user_id: wes.id,
        event_id: sale.event.id,
        show_id: sale.show.id,
        zone_id: sale.assigned.id,
        quantity: 2,
        status: "reserved",
        created_at_ms: holdEndsAt - 3_600_000,
        expires_at_ms: holdEndsAt,
        promoted_at_ms: holdEndsAt - 600_000,
        waitlist_position: 3,
        seat_ids: [seats[2]!.id, seats[3]!.id],
        seq: 7,
      });
      await eventually(() => expect(worker.resultsOf(promoted.eventId)).toEqual(["sent"]), waitLong);
      // The very same message again (a redelivery): skipped, no second e-mail.
      await producer.send({ topic: "booking.promoted", messages: [promoted.message] });
      await eventually(() => expect(worker.resultsOf(promoted.eventId)).toEqual(["sent", "duplicate"]), waitLong);

      const mails = await mailsTo(wes.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.subject).toBe("Seats are being held for you: Flash Sale Live");
      const payLink = `https://tickets.example.test/bookings/${bookingId}/pay`;
      const holdEnds = formatTime(holdEndsAt, "UTC");
      expect(holdEnds).toBe("Tuesday, 6 May 2031 at 07:08 (UTC)");
      for (const part of [mail.text, mail.html]) {
        expect(part).toContain(payLink);
        expect(part).toContain(holdEnds);
        expect(part).toContain(bookingId);
        expect(part).toContain("Row A, seat 3; Row B, seat 1");
        expect(part).toContain(formatMoney(600_000, "THB"));
      }
      expect(mail.html).toContain(`href="${payLink}"`);
      expect(mail.attachments ?? []).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  }, 90_000);

  test("a waitlist that closed gets one 'The waitlist closed', saying why, delivered twice; a cancelled event says so", async () => {
    const ended = await publishedSale();
    const cancelled = await publishedSale();
    await catalog.asSystem((tx) =>
      tx.update(schema.events).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(schema.events.id, cancelled.event.id)),
    );
    const [xena, yuri] = [await buyer(), await buyer()];
    const closedAt = Date.UTC(2031, 0, 2, 3, 4);
    const closedPlace = (sale: typeof ended, userId: string): BookingState => ({
      booking_id: crypto.randomUUID(),
      user_id: userId,
      event_id: sale.event.id,
      show_id: sale.show.id,
      zone_id: sale.general.id,
      quantity: 1,
      status: "cancelled",
      created_at_ms: closedAt - 60_000,
      expires_at_ms: closedAt,
      closed_at_ms: closedAt,
      waitlist_position: 1,
      seq: 4,
    });
    const worker = await startNotifier();
    try {
      const first = await produceBooking("booking.waitlist_closed", closedPlace(ended, xena.id));
      const second = await produceBooking("booking.waitlist_closed", closedPlace(cancelled, yuri.id));
      await producer.send({ topic: "booking.waitlist_closed", messages: [first.message, second.message] });
      await eventually(() => {
        expect(worker.resultsOf(first.eventId)).toEqual(["sent", "duplicate"]);
        expect(worker.resultsOf(second.eventId)).toEqual(["sent", "duplicate"]);
      }, waitLong);

      const [xenaMails, yuriMails] = [await mailsTo(xena.email), await mailsTo(yuri.email)];
      expect(xenaMails).toHaveLength(1);
      expect(yuriMails).toHaveLength(1);
      for (const mail of [xenaMails[0]!, yuriMails[0]!]) {
        expect(mail.subject).toBe("The waitlist closed for Flash Sale Live");
        expect(mail.text).toContain(formatTime(closedAt, "UTC"));
        expect(mail.text).toContain("nothing was charged");
        expect(mail.text).not.toContain("Seats:");
      }
      expect(xenaMails[0]!.text).toContain("the sale ended before any seats came free for you");
      expect(yuriMails[0]!.text).toContain("the organizer cancelled the event");
      expect(yuriMails[0]!.html).toContain("the organizer cancelled the event");
    } finally {
      await worker.stop();
    }
  }, 90_000);

  test("a promotion message whose booking is not a hold is a bad event: dead-lettered, no e-mail", async () => {
    const sale = await publishedSale();
    const zoe = await buyer();
    const worker = await startNotifier();
    try {
      const wrong = await produceBooking("booking.promoted", {
        booking_id: crypto.randomUUID(),
        user_id: zoe.id,
        event_id: sale.event.id,
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 1,
        status: "waitlisted",
        created_at_ms: Date.now(),
        expires_at_ms: Date.now() + 60_000,
        waitlist_position: 1,
        seq: 2,
      });
      await eventually(() => expect(worker.resultsOf(wrong.eventId)).toEqual(["dead_lettered"]), waitLong);
      expect(await mailsTo(zoe.email)).toHaveLength(0);
    } finally {
      await worker.stop();
    }
  }, 90_000);
});
