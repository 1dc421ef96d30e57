/**
 * The notification worker on the real pipeline: catalog publishes, buyers reserve and confirm
 * through the booking service, the outbox relay sends to Kafka, the worker reads PostgreSQL and
 * e-mails through SMTP into the local sink (MailDev), which the tests read back. Payment events,
 * whose producer does not exist yet, are written by the tests in the shape of their contract.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createMailer, createProducer, type Producer } from "@booking-rush/lib/clients";
import { loadConfig, smtpSettings } from "@booking-rush/lib/config";
import { type PaymentEventData, type PaymentTopic, paymentEventMessage } from "@booking-rush/lib/contracts";
import { createLogger, createMetrics, type Logger } from "@booking-rush/lib/observability";
import { type BookingFixture, bookingFixture, confirmPaid, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { attachmentBytes, mailsTo } from "@booking-rush/test-support/mail-sink";
import { stack, startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { formatMoney } from "../src/format";
import { createNotificationMetrics, type NotificationMetrics } from "../src/notification-metrics";
import { createNotifier, type HandledMessage, type NotifierHooks, notificationTopics } from "../src/notifier";
import { type NotificationConfig, notificationSettings } from "../src/settings";
import { loadTemplates } from "../src/templates";
import { ticketImageCid, ticketQrPng } from "../src/ticket";

let catalog: CatalogFixture;
let booking: BookingFixture;
let relay: ReturnType<typeof startTestRelay>;
let producer: Producer;
const deadLetterTopic = `notification.dead-letter.test-${crypto.randomUUID()}`;
const defaults = loadConfig({ notification: notificationSettings }, {}).notification;
const smtp = loadConfig({ smtp: smtpSettings }, process.env).smtp;
const templates = loadTemplates();
const waitLong = { timeoutMs: 45_000, intervalMs: 100 };

beforeAll(async () => {
  catalog = await catalogFixture("notification_pipeline");
  booking = await bookingFixture({ holdMs: 2_000 });
  relay = startTestRelay(booking.redis);
  producer = createProducer(testKafka);
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await relay.stop();
  await booking.close();
  await catalog.close();
});

/** A buyer in the catalog database (users are global rows, written in system scope like the auth service would). */
async function buyer() {
  const [row] = await catalog.buyers(1, "ann", "Ann Buyer");
  return { id: row!.id, email: row!.email, token: await tokenFor(row!.id) };
}

async function publishedSale() {
  const acme = await catalog.tenant("acme");
  const sale = await draftWithZones(catalog, acme.organizerToken);
  expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  return { ...sale, tenantId: acme.tenantId };
}

/** A confirmed booking of two standing places as the projector writes it (what the payment service pays for). */
async function projectedBooking(sale: Awaited<ReturnType<typeof publishedSale>>, userId: string) {
  const bookingId = crypto.randomUUID();
  await catalog.asSystem((tx) =>
    tx.insert(schema.bookings).values({
      reservationId: bookingId,
      userId,
      tenantId: sale.tenantId,
      eventId: sale.event.id,
      showId: sale.show.id,
      zoneId: sale.general.id,
      status: "confirmed",
      quantity: 2,
      unitPrice: 150_000,
      totalAmount: 300_000,
      currency: "THB",
      confirmedAt: new Date(),
    }),
  );
  return bookingId;
}

/** A payment event as the payment service will write it: contract-checked body, key = concert event id, event_id header. */
async function producePayment(type: PaymentTopic, key: string, data: PaymentEventData) {
  const body = paymentEventMessage(type, data);
  await producer.send({ topic: type, messages: [{ key, value: JSON.stringify(body), headers: { event_id: body.event_id, type } }] });
  return body.event_id;
}

async function startNotifier(overrides: Partial<NotificationConfig> = {}, hooks: NotifierHooks = {}, logger: Logger = testLogger) {
  const handled: HandledMessage[] = [];
  const config = {
    ...defaults,
    groupId: overrides.groupId ?? (await groupAtEnd(testKafka, "notification-test", notificationTopics)),
    deadLetterTopic,
    retryBaseMs: 50,
    retryMaxMs: 500,
    sendAttempts: 5,
    ...overrides,
    topics: stackConfig.kafka.topics,
  };
  const metrics = createNotificationMetrics(createMetrics("notification-test"));
  const mailer = createMailer(smtp);
  const notifier = createNotifier({ kafka: testKafka, db: catalog.db, mailer, templates, logger, metrics }, config, {
    afterHandled: async (message) => {
      handled.push(message);
      await hooks.afterHandled?.(message);
    },
  });
  const started = notifier.start();
  return {
    metrics,
    handled,
    started,
    /** Results of one event, in the order the worker handled its deliveries. */
    resultsOf: (eventId: string) => handled.filter((message) => message.eventId === eventId).map((message) => message.result),
    async stop() {
      await started.catch(() => {});
      await notifier.stop();
      mailer.close();
    },
  };
}

async function counter(metric: NotificationMetrics[keyof NotificationMetrics], labels: Record<string, string>) {
  const values = (await metric.get()).values;
  return values
    .filter((value) =>
      Object.entries(labels).every(([name, wanted]) => (value.labels as Record<string, string | number | undefined>)[name] === wanted),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

async function deadLetters() {
  const consumer = testKafka.consumer({ groupId: `dead-letter-reader-${crypto.randomUUID()}` });
  const read: { value: string; reason: string; topic: string; eventId: string; attempts: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      read.push({
        value: String(message.value),
        reason: String(message.headers?.dead_letter_reason),
        topic: String(message.headers?.original_topic),
        eventId: String(message.headers?.event_id),
        attempts: String(message.headers?.dead_letter_attempts),
      });
    },
  });
  return { read, stop: () => consumer.disconnect() };
}

describe("notification worker on the real pipeline", () => {
  test("a confirmed booking gets exactly one e-ticket: seats, price and a QR code of the booking", async () => {
    const sale = await publishedSale();
    const ann = await buyer();
    const seats = await catalog.asSystem((tx) =>
      tx
        .select()
        .from(schema.seats)
        .where(eq(schema.seats.zoneId, sale.assigned.id))
        .orderBy(schema.seats.rowLabel, schema.seats.seatNumber),
    );
    const logLines: string[] = [];
    const worker = await startNotifier(
      {},
      {},
      createLogger({ service: "notification-test", level: "debug", write: (line) => logLines.push(line) }),
    );
    try {
      const reserved = await post(booking, "/bookings/reserve", ann.token, {
        show_id: sale.show.id,
        seat_ids: [seats[0]!.id, seats[1]!.id],
      });
      expect(reserved.status).toBe(201);
      const bookingId: string = reserved.body.data.booking_id;
      expect((await confirmPaid(booking, bookingId, crypto.randomUUID())).status).toBe(200);

      const eventId = `booking.confirmed:${bookingId}`;
      await eventually(() => expect(worker.resultsOf(eventId)).toEqual(["sent"]), waitLong);
      const [mail, ...others] = await mailsTo(ann.email);
      expect(others).toHaveLength(0);
      expect(mail!.subject).toBe("Your tickets for Flash Sale Live");
      for (const part of [mail!.text, mail!.html]) {
        expect(part).toContain(bookingId);
        expect(part).toContain("Impact Arena");
        expect(part).toContain("Seated");
        expect(part).toContain("Row A, seat 1; Row A, seat 2");
        expect(part).toContain(formatMoney(600_000, "THB"));
        expect(part).toContain(`booking-rush:ticket:${bookingId}`);
      }
      expect(mail!.text).toContain(`2 x ${formatMoney(300_000, "THB")}`);
      expect(mail!.html).toContain(`src="cid:${ticketImageCid}"`);

      const images = (mail!.attachments ?? []).filter((attachment) => attachment.contentType === "image/png");
      expect(images).toHaveLength(1);
      expect(images[0]!.contentId).toBe(ticketImageCid);
      const png = await attachmentBytes(mail!, images[0]!);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // The same payload encodes to the same image: the QR code holds booking-rush:ticket:<booking id>.
      expect(png.equals(await ticketQrPng(bookingId))).toBe(true);

      expect(await counter(worker.metrics.sent, { template: "booking-confirmed" })).toBe(1);
      // Logs name the event by ids only: no address, no body, no ticket code.
      expect(logLines.some((line) => line.includes("notification sent") && line.includes(bookingId))).toBe(true);
      for (const line of logLines) {
        expect(line).not.toContain(ann.email);
        expect(line).not.toContain("booking-rush:ticket:");
        expect(line).not.toContain("Impact Arena");
      }
    } finally {
      await worker.stop();
    }
  }, 90_000);

  test("a reservation that ran out gets the expiry e-mail", async () => {
    const sale = await publishedSale();
    const bob = await buyer();
    const worker = await startNotifier();
    try {
      const reserved = await post(booking, "/bookings/reserve", bob.token, {
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 2,
      });
      expect(reserved.status).toBe(201);
      const bookingId: string = reserved.body.data.booking_id;
      // Wait for the hold's own deadline (2 s in this fixture); a confirm after it closes the booking as expired.
      await Bun.sleep(Math.max(0, Date.parse(reserved.body.data.expires_at) - Date.now() + 50));
      expect((await confirmPaid(booking, bookingId, crypto.randomUUID())).status).toBe(410);

      await eventually(() => expect(worker.resultsOf(`booking.expired:${bookingId}`)).toEqual(["sent"]), waitLong);
      const mails = await mailsTo(bob.email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe("Your reservation for Flash Sale Live expired");
      expect(mails[0]!.text).toContain(bookingId);
      expect(mails[0]!.text).toContain("Standing");
      expect(mails[0]!.text).toContain("General admission");
      expect(mails[0]!.attachments ?? []).toHaveLength(0);
      expect(await counter(worker.metrics.sent, { template: "booking-expired" })).toBe(1);
    } finally {
      await worker.stop();
    }
  }, 90_000);

  test("payment.failed and payment.refunded (contract-shaped) get their e-mails", async () => {
    const sale = await publishedSale();
    const cleo = await buyer();
    const bookingId = await projectedBooking(sale, cleo.id);
    const paymentId = crypto.randomUUID();
    const worker = await startNotifier();
    try {
      const payment = { payment_id: paymentId, booking_id: bookingId, user_id: cleo.id, amount: 300_000, currency: "THB" };
      const failed = await producePayment("payment.failed", sale.event.id, {
        ...payment,
        status: "failed",
        failure_reason: "card declined by the issuer",
      });
      const refunded = await producePayment("payment.refunded", sale.event.id, {
        ...payment,
        status: "refunded",
        refund: { amount: 150_000, percent: 50, reason: "customer_request" },
      });

      await eventually(() => {
        expect(worker.resultsOf(failed)).toEqual(["sent"]);
        expect(worker.resultsOf(refunded)).toEqual(["sent"]);
      }, waitLong);
      const mails = await mailsTo(cleo.email);
      expect(mails.map((mail) => mail.subject).sort()).toEqual([
        "Payment failed for Flash Sale Live",
        "Refund processed for Flash Sale Live",
      ]);
      const failedMail = mails.find((mail) => mail.subject.startsWith("Payment failed"))!;
      expect(failedMail.text).toContain("card declined by the issuer");
      expect(failedMail.text).toContain(formatMoney(300_000, "THB"));
      expect(failedMail.text).toContain(paymentId);
      const refundMail = mails.find((mail) => mail.subject.startsWith("Refund processed"))!;
      expect(refundMail.text).toContain(`${formatMoney(150_000, "THB")} (50% of ${formatMoney(300_000, "THB")})`);
      expect(refundMail.text).toContain("you cancelled the booking");
      expect(refundMail.html).toContain(bookingId);
    } finally {
      await worker.stop();
    }
  }, 90_000);

  test("redelivery: the same message again, and a restart before the commit, still send one e-mail", async () => {
    const sale = await publishedSale();
    const dana = await buyer();
    const groupId = await groupAtEnd(testKafka, "notification-test", notificationTopics);
    let bookingId = "";
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let target: HandledMessage | undefined;
    // The first worker sends, then is stopped before it commits the message's offset.
    const first = await startNotifier(
      { groupId },
      {
        afterHandled: async (message) => {
          if (bookingId && message.eventId === `booking.confirmed:${bookingId}`) {
            target = message;
            await gate;
          }
        },
      },
    );
    let second: Awaited<ReturnType<typeof startNotifier>> | undefined;
    try {
      const reserved = await post(booking, "/bookings/reserve", dana.token, {
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 1,
      });
      expect(reserved.status).toBe(201);
      bookingId = reserved.body.data.booking_id;
      expect((await confirmPaid(booking, bookingId, crypto.randomUUID())).status).toBe(200);
      const eventId = `booking.confirmed:${bookingId}`;

      await eventually(() => expect(target?.result).toBe("sent"), waitLong);
      expect(await mailsTo(dana.email)).toHaveLength(1);
      const stopping = first.stop();
      release();
      await stopping;

      // Same group: the uncommitted message comes again, to a new worker.
      second = await startNotifier({ groupId });
      await eventually(() => expect(second!.resultsOf(eventId)).toEqual(["duplicate"]), waitLong);
      // And the very same message produced once more.
      await producer.send({
        topic: "booking.confirmed",
        messages: [{ key: target!.message.key, value: target!.message.value, headers: target!.message.headers }],
      });
      await eventually(() => expect(second!.resultsOf(eventId)).toEqual(["duplicate", "duplicate"]), waitLong);

      expect(await mailsTo(dana.email)).toHaveLength(1);
      expect(await counter(second.metrics.sent, {})).toBe(0);
      expect(await counter(second.metrics.events, { result: "duplicate" })).toBeGreaterThanOrEqual(2);
    } finally {
      release();
      await first.stop();
      await second?.stop();
    }
  }, 120_000);

  test("SMTP down for a while: the e-mail is retried and delivered once when it is back", async () => {
    const sale = await publishedSale();
    const emil = await buyer();
    const bookingId = await projectedBooking(sale, emil.id);
    // Enough attempts to outlast a restart of the sink (about a second), bounded all the same.
    const worker = await startNotifier({ sendAttempts: 60, retryBaseMs: 200, retryMaxMs: 1_000 });
    let smtpStopped = false;
    try {
      await worker.started;
      stack("down", "smtp");
      smtpStopped = true;
      const eventId = await producePayment("payment.failed", sale.event.id, {
        payment_id: crypto.randomUUID(),
        booking_id: bookingId,
        user_id: emil.id,
        amount: 300_000,
        currency: "THB",
        status: "failed",
        failure_reason: "insufficient funds",
      });
      await eventually(
        async () => expect(await counter(worker.metrics.failures, { reason: "smtp_unavailable" })).toBeGreaterThanOrEqual(2),
        waitLong,
      );
      expect(worker.resultsOf(eventId)).toEqual([]);
      stack("up");
      smtpStopped = false;

      await eventually(() => expect(worker.resultsOf(eventId)).toEqual(["sent"]), waitLong);
      const mails = await eventually(async () => {
        const found = await mailsTo(emil.email);
        expect(found).toHaveLength(1);
        return found;
      }, waitLong);
      expect(mails[0]!.text).toContain("insufficient funds");
      expect(await counter(worker.metrics.sent, { template: "payment-failed" })).toBe(1);
    } finally {
      if (smtpStopped) stack("up");
      await worker.stop();
    }
  }, 120_000);

  test("poison messages go to the dead-letter topic with their reason and the worker carries on", async () => {
    const sale = await publishedSale();
    const fay = await buyer();
    const bookingId = await projectedBooking(sale, fay.id);
    const worker = await startNotifier();
    const reader = await deadLetters();
    try {
      const marker = crypto.randomUUID();
      await producer.send({
        topic: "booking.confirmed",
        messages: [{ key: sale.event.id, value: `{not json ${marker}`, headers: { event_id: `poison-${marker}` } }],
      });
      const base = { amount: 300_000, currency: "THB", status: "failed" as const, failure_reason: "declined" };
      const unknownUser = await producePayment("payment.failed", sale.event.id, {
        ...base,
        payment_id: crypto.randomUUID(),
        booking_id: bookingId,
        user_id: crypto.randomUUID(),
      });
      // A booking the projector never writes: retried (it might only be late), then given up.
      const unknownBooking = await producePayment("payment.failed", sale.event.id, {
        ...base,
        payment_id: crypto.randomUUID(),
        booking_id: crypto.randomUUID(),
        user_id: fay.id,
      });
      const good = await producePayment("payment.failed", sale.event.id, {
        ...base,
        payment_id: crypto.randomUUID(),
        booking_id: bookingId,
        user_id: fay.id,
      });

      await eventually(() => {
        expect(reader.read).toContainEqual({
          value: `{not json ${marker}`,
          reason: "not JSON",
          topic: "booking.confirmed",
          eventId: `poison-${marker}`,
          attempts: "0",
        });
        expect(reader.read.filter((entry) => entry.eventId === unknownUser).map(({ reason, attempts }) => ({ reason, attempts }))).toEqual([
          { reason: "unknown user", attempts: "1" },
        ]);
        expect(
          reader.read.filter((entry) => entry.eventId === unknownBooking).map(({ reason, attempts }) => ({ reason, attempts })),
        ).toEqual([{ reason: "unknown booking (gave up after 5 attempts)", attempts: "5" }]);
      }, waitLong);
      // The worker carried on: the good event after them was e-mailed, the bad ones sent nothing.
      await eventually(() => expect(worker.resultsOf(good)).toEqual(["sent"]), waitLong);
      expect(await mailsTo(fay.email)).toHaveLength(1);
      expect(await counter(worker.metrics.failures, { reason: "unknown_booking" })).toBe(5);
      expect(await counter(worker.metrics.failures, { reason: "retries_exhausted" })).toBe(1);
      expect(await counter(worker.metrics.failures, { reason: "not_json" })).toBeGreaterThanOrEqual(1);
    } finally {
      await reader.stop();
      await worker.stop();
    }
  }, 120_000);
});
