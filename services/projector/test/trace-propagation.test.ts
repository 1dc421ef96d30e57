/**
 * One trace across the asynchronous hops: a reserve request's traceparent is recorded with its
 * outbox entry, the outbox relay process sends the Kafka message in a PRODUCER span that is a child
 * of it, and the projector process applies it in a CONSUMER span that is a child of that. Both
 * worker processes run as deployed (real processes, OTLP/HTTP to a receiver on loopback).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { type BookingFixture, bookingFixture, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { spawnWorker } from "@booking-rush/test-support/worker-process";

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  links?: { traceId: string; spanId: string }[];
  service: string;
}

const spans: ExportedSpan[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = (await request.json()) as {
      resourceSpans?: {
        resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
        scopeSpans?: { spans?: Omit<ExportedSpan, "service">[] }[];
      }[];
    };
    for (const resource of body.resourceSpans ?? []) {
      const service = resource.resource?.attributes?.find((attribute) => attribute.key === "service.name")?.value.stringValue ?? "";
      for (const scope of resource.scopeSpans ?? []) for (const span of scope.spans ?? []) spans.push({ ...span, service });
    }
    return Response.json({});
  },
});

let catalog: CatalogFixture;
let booking: BookingFixture;

beforeAll(async () => {
  catalog = await catalogFixture("trace_propagation");
  booking = await bookingFixture();
});

afterAll(async () => {
  receiver.stop(true);
  await booking.close();
  await catalog.close();
});

const traced = () => ({ LOG_LEVEL: "error", OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}` });

describe("trace context across Kafka", () => {
  test("HTTP request → outbox relay (PRODUCER span) → projector (CONSUMER span): one trace, parent by parent", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken);
    const [buyer] = await catalog.buyers(1, "trace");

    const relay = spawnWorker("booking/bin/outbox-relay.ts", { ...traced(), OUTBOX_POLL_INTERVAL_MS: "20" });
    const projector = spawnWorker("projector/bin/projector.ts", {
      ...traced(),
      DATABASE_URL: catalog.database.url,
      PROJECTOR_GROUP_ID: await groupAtEnd(testKafka, "trace-test", bookingTopics),
      PROJECTOR_FLUSH_INTERVAL_MS: "50",
    });
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const requestSpanId = "a1b2c3d4e5f60718";
    try {
      await Promise.all([relay.ready(), projector.ready()]);
      const response = await booking.app.handle(
        new Request("http://localhost/api/v1/bookings/reserve", {
          method: "POST",
          headers: {
            authorization: `Bearer ${await tokenFor(buyer!.id)}`,
            "idempotency-key": crypto.randomUUID(),
            "content-type": "application/json",
            traceparent: `00-${traceId}-${requestSpanId}-01`,
          },
          body: JSON.stringify({ show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 }),
        }),
      );
      expect(response.status).toBe(201);
      await eventually(
        async () => {
          const rows = await catalog.asSystem((tx) => tx.select().from(schema.bookings));
          expect(rows).toHaveLength(1);
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } finally {
      // SIGTERM flushes each process's spans to the receiver before it exits.
      relay.child.kill("SIGTERM");
      projector.child.kill("SIGTERM");
      await Promise.all([relay.child.exited, projector.child.exited]);
    }
    await eventually(
      () => {
        const send = spans.find((span) => span.traceId === traceId && span.name === "booking.created send");
        expect(send).toMatchObject({ parentSpanId: requestSpanId, service: "outbox-relay" });
        // Alone in its batch the message's trace continues (parent); in a batch with others it is linked.
        const apply = spans.find(
          (span) =>
            span.name === "projector apply batch" &&
            ((span.traceId === traceId && span.parentSpanId === send!.spanId) ||
              span.links?.some((link) => link.traceId === traceId && link.spanId === send!.spanId)),
        );
        expect(apply?.service).toBe("projector");
      },
      { timeoutMs: 10_000 },
    );
  }, 120_000);
});
