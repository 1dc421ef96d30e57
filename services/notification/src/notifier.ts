/**
 * The notification worker: booking and payment events from Kafka → e-mails to the booking's user.
 *
 * Exactly one e-mail per event, as far as SMTP allows. Each attempt is one PostgreSQL transaction:
 *
 *   1. claim:  INSERT INTO processed_events (consumer 'notification', event_id) ON CONFLICT DO NOTHING
 *              — no row inserted means the event was e-mailed before (a redelivery): skip it;
 *   2. read the recipient and the details, render the templates;
 *   3. send:   the SMTP server accepts the message;
 *   4. commit: the claim becomes permanent; then the Kafka offset is committed.
 *
 * A send that fails rolls the claim back, so the next attempt (or the next worker) may send. A
 * second delivery of the same event while the first attempt is still open (a rebalance hands the
 * partition to another replica) blocks on the uncommitted claim's key until the first commits (then
 * it is skipped) or rolls back (then it sends): the two never both send.
 *
 * The remaining window is between 3 and 4: the SMTP server accepted the message but the commit did
 * not happen (the process died, PostgreSQL went away in that moment), or the server accepted it and
 * the reply got lost (a timeout after DATA). The event is then redelivered with no claim and a
 * second e-mail goes out. No protocol closes it: SMTP has no idempotency key, and claiming for good
 * before sending would turn the same crash into an e-mail never sent. One round trip wide, it is
 * the better side to err on for a ticket.
 *
 * Failures (failures.ts): a poison message or an unknown user goes to the dead-letter topic at
 * once; SMTP unavailable (or a booking the projector has not written yet) is retried with
 * exponential back-off and jitter, NOTIFICATION_SEND_ATTEMPTS times, then dead-lettered; PostgreSQL
 * or Kafka trouble is retried until it passes. Between attempts the consumer keeps its heartbeats,
 * and a worker that is stopping leaves the message uncommitted for whoever takes the partition.
 */

import { processedEvents } from "@booking-rush/db/schema";
import { backoffWithJitter, createWorkerConsumer, type Database, deadLetterMessage, type Kafka } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { type BookingEvent, bookingTopics, type PaymentEvent, parseBookingEvent, parsePaymentEvent } from "@booking-rush/lib/contracts";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { inConsumerSpan, type Logger } from "@booking-rush/lib/observability";
import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import { composeBookingMail, composePaymentMail } from "./compose";
import { type FailureReason, NotificationFailure, permanent, retryable } from "./failures";
import { describeSmtpError, isPermanentSmtpError, type MailTransport } from "./mail-transport";
import type { NotificationMetrics } from "./notification-metrics";
import type { NotificationConfig } from "./settings";
import type { TemplateName, Templates } from "./templates";

/** The `processed_events.consumer` of this worker, whatever its consumer group is called. */
export const notificationConsumer = "notification";

export const notificationTopics = [
  "booking.confirmed",
  "booking.expired",
  "booking.promoted",
  "booking.waitlist_closed",
  "payment.failed",
  "payment.refunded",
] as const;

export type HandledResult = "sent" | "duplicate" | "dead_lettered";

export interface HandledMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
  eventId?: string;
  result: HandledResult;
  /** Why it was dead-lettered. */
  reason?: string;
}

export interface NotifierHooks {
  /** Test seam: runs once a message is handled (sent, skipped or dead-lettered) and before its offset is committed. */
  afterHandled?: (handled: HandledMessage) => Promise<void> | void;
}

export interface NotifierDependencies {
  kafka: Kafka;
  db: Database;
  mailer: MailTransport;
  templates: Templates;
  logger: Logger;
  metrics: NotificationMetrics;
}

type ParsedEvent = { kind: "booking"; event: BookingEvent } | { kind: "payment"; event: PaymentEvent };

type Outcome =
  | { result: "sent"; template: TemplateName; eventId: string }
  | { result: "duplicate"; eventId: string }
  | { result: "dead_lettered"; reason: string; eventId?: string; attempts: number };

interface Control {
  heartbeat: () => Promise<void>;
  /** False once the worker stops or the partition is no longer ours. */
  live: () => boolean;
}

const isBookingTopic = (topic: string) => (bookingTopics as readonly string[]).includes(topic);

function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return String(Array.isArray(value) ? value[0] : value);
}

/** The event, or why it can never be e-mailed. */
function parseMessage(topic: string, value: Buffer | null): { parsed: ParsedEvent } | { failure: NotificationFailure } {
  const outcome = isBookingTopic(topic) ? parseBookingEvent(value) : parsePaymentEvent(value);
  if ("reason" in outcome) return { failure: permanent(outcome.reason === "not JSON" ? "not_json" : "invalid_event", outcome.reason) };
  if (outcome.event.type !== topic) return { failure: permanent("invalid_event", `a ${outcome.event.type} event on topic ${topic}`) };
  return { parsed: "booking" in outcome.event ? { kind: "booking", event: outcome.event } : { kind: "payment", event: outcome.event } };
}

export function createNotifier(
  { kafka, db, mailer, templates, logger, metrics }: NotifierDependencies,
  config: NotificationConfig & { topics: KafkaConfig["topics"] },
  hooks: NotifierHooks = {},
) {
  const worker = createWorkerConsumer({
    kafka,
    groupId: config.groupId,
    logger,
    topics: notificationTopics,
    deadLetterTopic: config.deadLetterTopic,
    topicSettings: config.topics,
  });

  /** Exponential back-off with jitter: the n-th wait is between half and all of min(max, base·2^(n−1)). */
  const backoff = (failures: number) => backoffWithJitter(failures - 1, { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs });

  /** Waits `ms` while heartbeating; false when the worker stopped (or lost the partition) meanwhile. */
  async function pause(ms: number, control: Control): Promise<boolean> {
    const until = Date.now() + ms;
    while (control.live() && Date.now() < until) {
      await Bun.sleep(Math.min(1_000, Math.max(0, until - Date.now())));
      await control.heartbeat().catch(() => {});
    }
    return control.live();
  }

  /** One attempt: claim, compose, send, commit (see the top of the file). */
  function attempt(parsed: ParsedEvent): Promise<Outcome> {
    const eventId = parsed.event.eventId;
    return inScope(db, systemScope, async (tx) => {
      const claimed = await tx
        .insert(processedEvents)
        .values({ consumer: notificationConsumer, eventId, eventType: parsed.event.type })
        .onConflictDoNothing()
        .returning({ eventId: processedEvents.eventId });
      if (claimed.length === 0) return { result: "duplicate", eventId };

      const mail =
        parsed.kind === "booking" ? await composeBookingMail(tx, parsed.event, config) : await composePaymentMail(tx, parsed.event, config);
      let rendered: ReturnType<Templates["render"]>;
      try {
        rendered = templates.render(mail.template, mail.values);
      } catch (error) {
        throw permanent("template", `template ${mail.template}: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        await mailer.send({ to: mail.to, ...rendered, images: mail.images });
      } catch (error) {
        throw isPermanentSmtpError(error)
          ? permanent("smtp_rejected", `smtp rejected: ${describeSmtpError(error)}`)
          : retryable("smtp_unavailable", `smtp unavailable: ${describeSmtpError(error)}`);
      }
      return { result: "sent", template: mail.template, eventId };
    });
  }

  /** Attempts until sent, skipped or given up; undefined when the worker stops first. */
  async function deliver(parsed: ParsedEvent, fields: Record<string, unknown>, control: Control): Promise<Outcome | undefined> {
    const eventId = parsed.event.eventId;
    let retryableFailures = 0;
    let otherFailures = 0;
    for (;;) {
      let wait: number;
      try {
        return await attempt(parsed);
      } catch (error) {
        if (error instanceof NotificationFailure) {
          metrics.failures.inc({ reason: error.reason });
          if (error.kind === "permanent")
            return { result: "dead_lettered", reason: error.message, eventId, attempts: retryableFailures + otherFailures + 1 };
          retryableFailures += 1;
          if (retryableFailures >= config.sendAttempts) {
            metrics.failures.inc({ reason: "retries_exhausted" satisfies FailureReason });
            return {
              result: "dead_lettered",
              reason: `${error.message} (gave up after ${retryableFailures} attempts)`,
              eventId,
              attempts: retryableFailures + otherFailures,
            };
          }
          wait = backoff(retryableFailures);
          logger.warn("notification attempt failed, retrying", {
            ...fields,
            reason: error.message,
            attempt: retryableFailures,
            of: config.sendAttempts,
            backoff_ms: wait,
          });
        } else {
          metrics.failures.inc({ reason: "infrastructure" satisfies FailureReason });
          otherFailures += 1;
          wait = backoff(otherFailures);
          if (otherFailures === 1 || otherFailures % 10 === 0) {
            logger.warn("notification attempt failed (PostgreSQL?), retrying", {
              ...fields,
              error: error instanceof Error ? error.message : String(error),
              attempt: otherFailures,
              backoff_ms: wait,
            });
          }
        }
      }
      if (!(await pause(wait, control))) return undefined;
    }
  }

  /** Retries `work` (a Kafka send) until it succeeds; false when the worker stops first. */
  async function untilDone(work: () => Promise<unknown>, fields: Record<string, unknown>, control: Control): Promise<boolean> {
    for (let failures = 1; ; failures += 1) {
      try {
        await work();
        return true;
      } catch (error) {
        metrics.failures.inc({ reason: "infrastructure" satisfies FailureReason });
        const wait = backoff(failures);
        if (failures === 1 || failures % 10 === 0)
          logger.warn("dead-letter send failed, retrying", {
            ...fields,
            error: error instanceof Error ? error.message : String(error),
            backoff_ms: wait,
          });
        if (!(await pause(wait, control))) return false;
      }
    }
  }

  function deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string, attempts: number) {
    return worker.deadLetters.send([
      {
        topic: config.deadLetterTopic,
        messages: [
          deadLetterMessage({ topic, partition, message }, reason, {
            dead_letter_consumer: notificationConsumer,
            dead_letter_attempts: String(attempts),
          }),
        ],
      },
    ]);
  }

  /** One message to its end (sent, duplicate, dead-lettered); undefined when the worker stops first. */
  async function handle(topic: string, partition: number, message: KafkaMessage, control: Control): Promise<HandledMessage | undefined> {
    const traceparent = header(message, "traceparent");
    const fields: Record<string, unknown> = {
      topic,
      partition,
      offset: message.offset,
      event_id: header(message, "event_id"),
      ...(traceparent ? { traceparent } : {}),
    };
    const parse = parseMessage(topic, message.value);
    let outcome: Outcome | undefined;
    if ("failure" in parse) {
      metrics.failures.inc({ reason: parse.failure.reason });
      outcome = { result: "dead_lettered", reason: parse.failure.message, attempts: 0 };
    } else {
      const event = parse.parsed.event;
      Object.assign(
        fields,
        { event_id: event.eventId, type: event.type },
        parse.parsed.kind === "booking"
          ? { booking_id: parse.parsed.event.booking.booking_id, user_id: parse.parsed.event.booking.user_id }
          : {
              booking_id: parse.parsed.event.payment.booking_id,
              payment_id: parse.parsed.event.payment.payment_id,
              user_id: parse.parsed.event.payment.user_id,
            },
      );
      outcome = await deliver(parse.parsed, fields, control);
      if (!outcome) return undefined;
    }

    if (outcome.result === "dead_lettered") {
      const { reason, attempts } = outcome;
      if (!(await untilDone(() => deadLetter(topic, partition, message, reason, attempts), fields, control))) return undefined;
      logger.warn("notification dead-lettered", { ...fields, reason, attempts });
    } else if (outcome.result === "sent") {
      metrics.sent.inc({ template: outcome.template });
      // What was sent is named by ids and template only: never the address, never the text.
      logger.info("notification sent", { ...fields, template: outcome.template });
    } else {
      logger.info("notification already sent, redelivery skipped", fields);
    }
    metrics.events.inc({ result: outcome.result });
    return {
      topic,
      partition,
      message,
      eventId: outcome.eventId,
      result: outcome.result,
      ...(outcome.result === "dead_lettered" ? { reason: outcome.reason } : {}),
    };
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) {
    const control: Control = { heartbeat, live: () => !worker.stopping() && isRunning() && !isStale() };
    for (const message of batch.messages) {
      if (!control.live()) return;
      const handled = await inConsumerSpan(`notification ${batch.topic}`, [header(message, "traceparent")], () =>
        handle(batch.topic, batch.partition, message, control),
      );
      if (!handled) return;
      await hooks.afterHandled?.(handled);
      // Stopping (or the partition moved on): leave the offset for whoever takes over; a handled
      // event comes back as a duplicate and is skipped.
      if (!control.live()) return;
      // Committed message by message: an e-mail sent is not redelivered because a later one is slow.
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  // From the beginning when the group is new: an event published before the worker first ran
  // still gets its e-mail (processed_events keeps a later replay from sending twice).
  // stop(): finishes or abandons the message in hand (uncommitted: redelivered to whoever takes over).
  return worker.run({ eachBatchAutoResolve: false, autoCommitThreshold: 1, partitionsConsumedConcurrently: config.concurrency, eachBatch });
}

export type Notifier = ReturnType<typeof createNotifier>;
