/** What each page of the app (page-patterns.ts) renders; the server serves index.html on each path (src/routes.ts). */
import type { ReactNode } from "react";
import type { PagePattern } from "./page-patterns";
import { ForgotPasswordPage, ProfilePage, ResetPasswordPage } from "./pages/account-pages";
import { LoginPage, LogoutPage, RegisterPage } from "./pages/auth-pages";
import { BookingsPage } from "./pages/bookings-page";
import { BrandingPage } from "./pages/branding-page";
import { CheckoutPage } from "./pages/checkout-page";
import { EventPage } from "./pages/event-page";
import { EventsPage } from "./pages/events-page";
import { LiveSalesPage } from "./pages/live-sales-page";
import { NewEventPage, OrganizerEventPage, OrganizerEventsPage } from "./pages/organizer-pages";
import { SeatMapPage } from "./pages/seat-map-page";
import { WaitingRoomPage } from "./pages/waiting-room-page";
import { WaitlistPage } from "./pages/waitlist-page";

type Params = Record<string, string>;

export const pages: Record<PagePattern, (params: Params) => ReactNode> = {
  "/": () => <EventsPage />,
  "/events": () => <EventsPage />,
  "/login": () => <LoginPage />,
  "/register": () => <RegisterPage />,
  "/logout": () => <LogoutPage />,
  "/forgot-password": () => <ForgotPasswordPage />,
  "/reset-password": () => <ResetPasswordPage />,
  "/profile": () => <ProfilePage />,
  "/bookings": () => <BookingsPage />,
  "/events/:id": ({ id }) => <EventPage key={id} id={id!} />,
  "/events/:eventId/shows/:showId/zones/:zoneId": ({ eventId, showId, zoneId }) => (
    <SeatMapPage key={zoneId} eventId={eventId!} showId={showId!} zoneId={zoneId!} />
  ),
  "/queue/:eventId": ({ eventId }) => <WaitingRoomPage key={eventId} eventId={eventId!} />,
  "/checkout/:bookingId": ({ bookingId }) => <CheckoutPage key={bookingId} bookingId={bookingId!} />,
  "/waitlist/:bookingId": ({ bookingId }) => <WaitlistPage key={bookingId} bookingId={bookingId!} />,
  "/bookings/:bookingId/pay": ({ bookingId }) => <CheckoutPage key={bookingId} bookingId={bookingId!} />,
  "/organizer": () => <OrganizerEventsPage />,
  "/organizer/events/new": () => <NewEventPage />,
  "/organizer/events/:eventId": ({ eventId }) => <OrganizerEventPage key={eventId} eventId={eventId!} />,
  "/organizer/events/:eventId/sales": ({ eventId }) => <LiveSalesPage key={eventId} eventId={eventId!} />,
  "/organizer/branding": () => <BrandingPage />,
};
