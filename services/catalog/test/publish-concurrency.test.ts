import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventKeys } from "@booking-rush/lib/inventory";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { metricValue } from "@booking-rush/test-support/relay-fixture";
import { and, eq } from "drizzle-orm";

let fixture: CatalogFixture;

beforeAll(async () => {
  fixture = await catalogFixture("publish_concurrency");
});

afterAll(() => fixture.close());

describe("publishing under concurrency", () => {
  test("ten concurrent publishes of one event load its inventory once and all answer the same published event", async () => {
    const acme = await fixture.tenant("acme");
    const { event, show, general, assigned } = await draftWithZones(fixture, acme.organizerToken);
    const loadsBefore = await metricValue(fixture.metrics, "catalog_inventory_loads_total");

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((answer) => answer.body.data.published_at)).size).toBe(1);
    expect(answers.every((answer) => answer.body.data.status === "published")).toBe(true);

    expect((await metricValue(fixture.metrics, "catalog_inventory_loads_total")) - loadsBefore).toBe(1);
    const audits = await fixture.asSystem((tx) =>
      tx
        .select()
        .from(schema.auditLogs)
        .where(and(eq(schema.auditLogs.entityId, event.id), eq(schema.auditLogs.action, "event.published"))),
    );
    expect(audits).toHaveLength(1);

    const redis = fixture.service.store.redis;
    const keys = eventKeys(event.id);
    expect(await redis.hgetall(keys.event)).toMatchObject({ status: "published", tenant_id: acme.tenantId, max_per_user: "4" });
    expect(await redis.hmget(keys.zone(general.id), "show_id", "kind", "total", "reserved", "sold")).toEqual([
      show.id,
      "general",
      "100",
      "0",
      "0",
    ]);
    expect(await redis.hmget(keys.zone(assigned.id), "kind", "total")).toEqual(["assigned", "5"]);
    expect(await redis.hlen(keys.zoneSeats(assigned.id))).toBe(5);
  });
});
