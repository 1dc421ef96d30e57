/**
 * Where booking state lives in Redis. Every key of one event carries the hash tag `{ev:<eventId>}`,
 * so each script touches a single slot and stays valid under Redis Cluster. The few global keys
 * (show → event, the registries) are written at publish time, never inside a hot-path script.
 *
 * {ev:E}:event              hash   status, tenant_id, opens_at_ms, closes_at_ms, max_per_user,
 *                                  waitlist_limit (places per zone, 0 = no waitlist), min_age (0 = none)
 * {ev:E}:zone:Z             hash   show_id, kind (general|assigned), total, reserved, sold, seq, price,
 *                                  waitlisted (bookings waiting), waitlist_seq (last waitlist ticket)
 * {ev:E}:zone:Z:waitlist    zset   booking_id by waitlist ticket (join order): the zone's waitlist;
 *                                  a booking's position is its rank + 1
 * {ev:E}:zone:Z:waitlisters hash   user_id → booking_id of the user's waiting place in the zone
 * {ev:E}:zone:Z:seats       hash   seat_id → "" (available) | "held:<booking>" | "sold:<booking>"
 * {ev:E}:zones              set    the event's zone ids (the waiting room sums their stock)
 * {ev:E}:seat-zone          hash   seat_id → zone_id (assigned seating; static after publish)
 * {ev:E}:user-tickets       hash   user_id → tickets the user holds or bought for the event
 * {ev:E}:booking:B          hash   the reservation record (see scripts)
 * {ev:E}:expiry             zset   booking_id by expires_at_ms, live holds only
 * {ev:E}:restoring          hash   booking_id → expires_at_ms: holds a rebuild restored and has not
 *                                  counted yet (lua/restore-bookings.lua, then rebuild-zones.lua)
 * {ev:E}:idem:U:K           string JSON {hash, result}: idempotency record of user U's key K
 * {ev:E}:rate:U             hash   token bucket of user U: tokens, updated_ms
 * {ev:E}:outbox             stream booking events waiting for the relay (deleted once in Kafka)
 * {ev:E}:outbox-lease       string consumer name of the one relay sending this event's outbox
 * {ev:E}:fence              string fencing token of the reconciler's lock (incremented per acquisition)
 * {ev:E}:queue              hash   waiting-room settings written by the catalog: enabled (1|0), paused
 *                                  (1|0), rate_per_minute, max_active, pass_ttl_ms, order (fifo|random),
 *                                  prequeue_opens_at_ms; the sale opens at the event's opens_at_ms
 * The waiting room itself (lua/queue-*.lua, written by the booking service and its queue-admitter):
 * {ev:E}:queue-line         zset   user_id by place: the buyers waiting (the pre-queue before the opening)
 * {ev:E}:queue-joined       hash   user_id → joined_at_ms, while the buyer waits (queue_wait_seconds)
 * {ev:E}:queue-active       zset   user_id by the expires_at_ms of their pass: the admitted buyers' slots
 * {ev:E}:queue-pass         hash   user_id → id of the buyer's live pass (one per buyer; gone once freed)
 * {ev:E}:queue-state        hash   opened (1 once the pre-queue was ordered), seq (last place given),
 *                                  pass_seq (last pass id)
 * {ev:E}:queue-admissions   zset   "<first pass id>:<count>" by admitted_at_ms: the last minute's
 *                                  admission batches (the measured rate behind the ETA)
 * {ev:E}:queue-bucket       hash   token bucket of admissions: tokens, updated_ms
 * show:S                    string event id of show S
 * user:U:bookings           zset   "E:B" by created_at_ms, the caller's bookings across events
 * booking:B:event           string event id of booking B
 * registry:events           set    event ids with inventory loaded (sweeper, relay, reconciler)
 *
 * What the reconciler leaves for the booking service to export (a CronJob's process is gone before
 * any scrape; see services/booking/src/reconciler-outcome-metrics.ts):
 * reconciler:last-success   string unix seconds of the last run that did not fail
 * reconciler:runs           hash   result → runs that ended so (HINCRBY, never reset)
 * reconciler:zones          hash   outcome → zones reconciled so (HINCRBY, never reset)
 * reconciler:discrepancy:E  hash   zone_id → seats Redis and PostgreSQL differed by at event E's last
 *                                  reconciliation; replaced by each one, expires when none comes
 */
export const eventTag = (eventId: string) => `{ev:${eventId}}`;

export const eventKeys = (eventId: string) => {
  const tag = eventTag(eventId);
  return {
    tag,
    event: `${tag}:event`,
    zone: (zoneId: string) => `${tag}:zone:${zoneId}`,
    zoneSeats: (zoneId: string) => `${tag}:zone:${zoneId}:seats`,
    zoneWaitlist: (zoneId: string) => `${tag}:zone:${zoneId}:waitlist`,
    zoneWaitlisters: (zoneId: string) => `${tag}:zone:${zoneId}:waitlisters`,
    zones: `${tag}:zones`,
    seatZone: `${tag}:seat-zone`,
    userTickets: `${tag}:user-tickets`,
    booking: (bookingId: string) => `${tag}:booking:${bookingId}`,
    expiry: `${tag}:expiry`,
    restoring: `${tag}:restoring`,
    idempotency: (userId: string, key: string) => `${tag}:idem:${userId}:${key}`,
    rateLimit: (userId: string) => `${tag}:rate:${userId}`,
    outbox: `${tag}:outbox`,
    outboxLease: `${tag}:outbox-lease`,
    fence: `${tag}:fence`,
    queue: `${tag}:queue`,
    queueLine: `${tag}:queue-line`,
    queueJoined: `${tag}:queue-joined`,
    queueActive: `${tag}:queue-active`,
    queuePass: `${tag}:queue-pass`,
    queueState: `${tag}:queue-state`,
    queueAdmissions: `${tag}:queue-admissions`,
    queueBucket: `${tag}:queue-bucket`,
  };
};

export const showEventKey = (showId: string) => `show:${showId}`;
export const userBookingsKey = (userId: string) => `user:${userId}:bookings`;
export const eventRegistryKey = "registry:events";
/** Unix seconds of the reconciler's last run that did not fail: the booking service exports it, so a CronJob's runs are seen too. */
export const reconcilerLastSuccessKey = "reconciler:last-success";
/** Reconciliation runs by result, counted by the reconciler and exported by the booking service. */
export const reconcilerRunsKey = "reconciler:runs";
/** Reconciled zones by outcome, counted by whoever reconciles (the reconciler, an admin's sync). */
export const reconcilerZonesKey = "reconciler:zones";
/**
 * The last reconciliation's discrepancy per zone of one event. Outside the event's hash tag on
 * purpose: a clean reconciliation writes nothing into the event's inventory.
 */
export const reconcilerDiscrepancyKey = (eventId: string) => `reconciler:discrepancy:${eventId}`;

/** Consumer group of the outbox relay on every event's outbox stream. */
export const outboxGroup = "outbox-relay";

/** booking id → event id, so a booking can be found by id alone (GET /bookings/:id, confirm, cancel). */
export const bookingEventKey = (bookingId: string) => `booking:${bookingId}:event`;
