/**
 * `inventory.discrepancy`: one message per zone the reconciler found out of step, keyed by the
 * concert event's id, with both sides and what was done. Sent with the idempotent producer; a
 * failure to send is logged, never a reason to leave a repair undone.
 */
import { type Kafka, lazyProducer } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { inventoryDiscrepancyTopic } from "@booking-rush/lib/contracts";
import type { Logger } from "@booking-rush/lib/observability";
import type { ZoneReport } from "./reconcile";

export interface DiscrepancyPublisher {
  publish(report: ZoneReport): Promise<void>;
  close(): Promise<void>;
}

export function createDiscrepancyPublisher(
  kafka: Kafka,
  topics: KafkaConfig["topics"],
  logger: Logger,
  runId: string,
): DiscrepancyPublisher {
  const producer = lazyProducer(kafka, [inventoryDiscrepancyTopic], topics);
  return {
    async publish(report) {
      const body = {
        event_id: `${inventoryDiscrepancyTopic}:${report.zoneId}:${runId}`,
        type: inventoryDiscrepancyTopic,
        occurred_at: new Date().toISOString(),
        data: {
          event_id: report.eventId,
          zone_id: report.zoneId,
          verdict: report.verdict,
          outcome: report.outcome,
          redis: report.redis ?? null,
          postgres: report.postgres,
          ...(report.restoredBookings !== undefined ? { restored_bookings: report.restoredBookings } : {}),
        },
      };
      try {
        await producer.send(
          [
            {
              topic: inventoryDiscrepancyTopic,
              messages: [{ key: report.eventId, value: JSON.stringify(body), headers: { event_id: body.event_id } }],
            },
          ],
          -1,
        );
      } catch (error) {
        logger.error("inventory.discrepancy could not be sent", {
          zone_id: report.zoneId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
    close: () => producer.close(),
  };
}
