/**
 * Payment facts to Kafka: the lib contract's message, keyed by the concert event's id (one sale,
 * one partition), `event_id` and `traceparent` in the headers. Sent inside the database
 * transaction that records the fact, before it commits: a send that fails rolls the change back
 * (nothing changed, the caller retries); a commit that fails after the send leaves a message about
 * a change that did not happen, which its consumers find nothing to act on.
 */
import { type Kafka, lazyProducer } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { type PaymentEventData, type PaymentTopic, paymentEventMessage, paymentTopics } from "@booking-rush/lib/contracts";

export interface PaymentPublisher {
  publish(type: PaymentTopic, data: PaymentEventData, eventId: string, traceparent?: string): Promise<void>;
  close(): Promise<void>;
}

export function createPaymentPublisher(kafka: Kafka, topics: KafkaConfig["topics"]): PaymentPublisher {
  const producer = lazyProducer(kafka, paymentTopics, topics);
  return {
    async publish(type, data, eventId, traceparent) {
      const message = paymentEventMessage(type, data);
      const headers: Record<string, string> = { event_id: message.event_id, type };
      if (traceparent) headers.traceparent = traceparent;
      await producer.send([{ topic: type, messages: [{ key: eventId, value: JSON.stringify(message), headers }] }], -1);
    },
    close: () => producer.close(),
  };
}
