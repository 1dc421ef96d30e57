/** The event contracts between services (booking, catalog and payment events) and their topics. */
export * from "../events/booking-event";
export * from "../events/catalog-event";
export * from "../events/payment-events";
export * from "../topics";
