/**
 * The e-ticket's QR payload, a contract between the notification service and the web app. Its own
 * entry, free of imports, so the browser bundle can take it without the contracts' TypeBox.
 */
export * from "../tickets/ticket-code";
