/** The Redis key layout of an event's inventory, and its readers and loader. */
export * from "../inventory/booking-records";
export * from "../inventory/event-inventory";
export * from "../inventory/keys";
export * from "../inventory/load";
export * from "../inventory/queue-settings";
