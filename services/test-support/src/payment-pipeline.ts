/**
 * The payment tests' world: a fresh catalog database, the booking service on the shared Redis, the
 * outbox relay, the payment API (mounted in the kernel app, called with app.handle), the mock
 * gateway as a real server, and whichever consumers a test file needs (payment worker, saga,
 * projector, notification worker), each in a group that starts at the topics' end.
 */
import { expect } from "bun:test";
import { createPaymentSaga, paymentSagaTopics, type SagaResult } from "@booking-rush/booking/payment-outcomes";
import type { SalesConfig } from "@booking-rush/booking/settings";
import { createMailer } from "@booking-rush/lib/clients";
import { loadConfig, smtpSettings } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { createHttpApp } from "@booking-rush/lib/http";
import { eventKeys } from "@booking-rush/lib/inventory";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { createNotificationMetrics } from "@booking-rush/notification/notification-metrics";
import { createNotifier, notificationTopics } from "@booking-rush/notification/notifier";
import { notificationSettings } from "@booking-rush/notification/settings";
import { loadTemplates } from "@booking-rush/notification/templates";
import { createPaymentService } from "@booking-rush/payment/app";
import { createGatewayClient, type RetryPolicy } from "@booking-rush/payment/gateway-client";
import { startMockGateway } from "@booking-rush/payment/mock-gateway-server";
import { createPaymentWorker, paymentWorkerTopics } from "@booking-rush/payment/payment-consumer";
import { createPaymentMetrics } from "@booking-rush/payment/payment-metrics";
import { createPaymentPublisher } from "@booking-rush/payment/payment-publisher";
import { createProjector } from "@booking-rush/projector/projector-consumer";
import { createProjectorMetrics } from "@booking-rush/projector/projector-metrics";
import { bookingFixture, post as bookingPost, testAuth, tokenFor } from "./booking-fixture";
import { catalogFixture, draftWithZones } from "./catalog-fixture";
import { groupAtEnd } from "./fresh-group";
import { startTestRelay, testKafka } from "./relay-fixture";
import { stackConfig, testLogger } from "./stack-config";

export type PipelineConsumer = "worker" | "saga" | "projector" | "notifier";

export interface PipelineOptions {
  /** Names the fresh database. */
  name: string;
  consumers: PipelineConsumer[];
  holdMs?: number;
  retry?: Partial<RetryPolicy>;
  /** The live sales stream's pacing (GET /admin/sales/stream). */
  sales?: Partial<SalesConfig>;
}

// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
export type Answer = { status: number; body: any };

export async function paymentPipeline(options: PipelineOptions) {
  const unique = crypto.randomUUID();
  const gateway = startMockGateway();
  const retry: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 1_000, ...options.retry };
  const catalog = await catalogFixture(options.name);
  const booking = await bookingFixture(options.holdMs === undefined ? {} : { holdMs: options.holdMs }, {
    databaseUrl: catalog.database.url,
    sales: options.sales,
  });
  const logger = createLogger({ service: `${options.name}-test`, level: "error", write: () => {} });
  const metrics = createMetrics(`${options.name}-test`);
  // The API's own registry, as in its own process: the worker's counters are in `metrics`.
  const apiMetrics = createMetrics(`${options.name}-api-test`);
  const payment = createPaymentService(
    {
      redis: stackConfig.redis,
      postgres: { ...stackConfig.postgres, url: catalog.database.url },
      kafka: stackConfig.kafka,
      auth: testAuth,
      payment: { gatewayUrl: gateway.url, retry },
    },
    logger,
    apiMetrics,
  );
  const paymentApp = createHttpApp(
    { service: { name: `${options.name}-test`, corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
    [payment.routes],
  );
  const relay = startTestRelay(booking.redis);
  const publisher = createPaymentPublisher(testKafka, stackConfig.kafka.topics);
  const refundDependencies = { db: catalog.db, gateway: createGatewayClient(gateway.url, retry), publisher };
  const mailer = createMailer(loadConfig({ smtp: smtpSettings }, process.env).smtp);
  const sagaResults: SagaResult[] = [];
  const deadLetterTopic = (of: string) => `${of}.dead-letter.test-${unique}`;

  const consumers: { start(): Promise<void>; stop(): Promise<void> }[] = [];
  for (const kind of options.consumers) {
    if (kind === "worker") {
      consumers.push(
        createPaymentWorker(
          { ...refundDependencies, kafka: testKafka, logger: testLogger, metrics: createPaymentMetrics(metrics) },
          {
            groupId: await groupAtEnd(testKafka, `${options.name}-payment`, paymentWorkerTopics),
            deadLetterTopic: deadLetterTopic("payment"),
            topics: stackConfig.kafka.topics,
            gatewayUrl: gateway.url,
            retry,
          },
        ),
      );
    } else if (kind === "saga") {
      consumers.push(
        createPaymentSaga(
          { store: booking.service.store, kafka: testKafka, logger: testLogger, onResult: (result) => sagaResults.push(result) },
          {
            groupId: await groupAtEnd(testKafka, `${options.name}-saga`, paymentSagaTopics),
            deadLetterTopic: deadLetterTopic("saga"),
            topics: stackConfig.kafka.topics,
          },
        ),
      );
    } else if (kind === "projector") {
      consumers.push(
        createProjector(
          { kafka: testKafka, db: catalog.db, logger: testLogger, metrics: createProjectorMetrics(metrics) },
          {
            groupId: await groupAtEnd(testKafka, `${options.name}-projector`, bookingTopics),
            batchSize: 500,
            flushIntervalMs: 100,
            reorderWaitMs: 30_000,
            deadLetterTopic: deadLetterTopic("projector"),
            topics: stackConfig.kafka.topics,
          },
        ),
      );
    } else {
      consumers.push(
        createNotifier(
          {
            kafka: testKafka,
            db: catalog.db,
            mailer,
            templates: loadTemplates(),
            logger: testLogger,
            metrics: createNotificationMetrics(metrics),
          },
          {
            ...loadConfig({ notification: notificationSettings }, {}).notification,
            groupId: await groupAtEnd(testKafka, `${options.name}-notification`, notificationTopics),
            deadLetterTopic: deadLetterTopic("notification"),
            topics: stackConfig.kafka.topics,
          },
        ),
      );
    }
  }
  for (const consumer of consumers) await consumer.start();

  async function call(method: string, path: string, token: string, body?: unknown, key: string = crypto.randomUUID()): Promise<Answer> {
    const response = await paymentApp.handle(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          ...(method === "POST" ? { "idempotency-key": key } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    return { status: response.status, body: await response.json() };
  }

  return {
    catalog,
    booking,
    gateway,
    retry,
    refundDependencies,
    sagaResults,
    /** The consumers' metrics (payment worker, projector, notifier) and the payment API's. */
    metrics,
    apiMetrics,
    call,
    /** A buyer in the catalog database (written in system scope, as the auth service would). */
    async buyer() {
      const [user] = await catalog.buyers(1);
      return { id: user!.id, email: user!.email, token: await tokenFor(user!.id) };
    },
    /** A published sale whose show starts in `showInHours` (two days unless told); `event`: fields of POST /events. */
    async sale(showInHours = 48, event: Record<string, unknown> = {}) {
      const acme = await catalog.tenant("acme");
      const created = await draftWithZones(catalog, acme.organizerToken, event, { showInHours });
      expect((await catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken)).status).toBe(200);
      return { ...created, organizerToken: acme.organizerToken };
    },
    reserve: (token: string, body: Record<string, unknown>) => bookingPost(booking, "/bookings/reserve", token, body),
    pay: (token: string, bookingId: string, key?: string) =>
      call("POST", "/payments", token, { booking_id: bookingId, method: "card" }, key),
    async paymentOf(token: string, paymentId: string) {
      return (await call("GET", `/payments/${paymentId}`, token)).body.data as {
        status: string;
        amount: number;
        failure_reason?: string;
        refund?: Record<string, unknown>;
      };
    },
    async zoneCounts(eventId: string, zoneId: string) {
      const [reserved, sold] = await booking.redis.hmget(eventKeys(eventId).zone(zoneId), "reserved", "sold");
      return { reserved: Number(reserved), sold: Number(sold) };
    },
    bookingStatus: (eventId: string, bookingId: string) => booking.redis.hget(eventKeys(eventId).booking(bookingId), "status"),
    async close() {
      await relay.stop();
      for (const consumer of consumers) await consumer.stop();
      await publisher.close();
      mailer.close();
      await payment.close();
      await booking.close();
      await catalog.close();
      gateway.stop();
    },
  };
}

export type PaymentPipeline = Awaited<ReturnType<typeof paymentPipeline>>;
