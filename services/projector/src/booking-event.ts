/**
 * A booking event as the projector applies it. The schema is shared with every consumer of the
 * booking topics and lives in lib (`services/lib/src/events/booking-event.ts`).
 */
export { type BookingEvent, type BookingState, parseBookingEvent } from "@booking-rush/lib/contracts";
