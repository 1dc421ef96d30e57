/** The app: the session, the layout and the page for the current path, inside an error boundary. */
import { createRoot } from "react-dom/client";
import { ErrorBoundary, Layout } from "./components";
import { ForgotPasswordPage, ProfilePage, ResetPasswordPage } from "./pages/account-pages";
import { LoginPage, LogoutPage, RegisterPage } from "./pages/auth-pages";
import { BookingsPage } from "./pages/bookings-page";
import { CheckoutPage } from "./pages/checkout-page";
import { EventPage } from "./pages/event-page";
import { EventsPage } from "./pages/events-page";
import { NotFoundPage } from "./pages/not-found-page";
import { SeatMapPage } from "./pages/seat-map-page";
import { WaitingRoomPage } from "./pages/waiting-room-page";
import { matchPath, useLocation } from "./router";
import { SessionProvider } from "./session";

function Page() {
  const { path } = useLocation();
  if (path === "/" || path === "/events") return <EventsPage />;
  if (path === "/login") return <LoginPage />;
  if (path === "/register") return <RegisterPage />;
  if (path === "/logout") return <LogoutPage />;
  if (path === "/forgot-password") return <ForgotPasswordPage />;
  if (path === "/reset-password") return <ResetPasswordPage />;
  if (path === "/profile") return <ProfilePage />;
  if (path === "/bookings") return <BookingsPage />;
  const event = matchPath("/events/:id", path);
  if (event) return <EventPage key={event.id} id={event.id!} />;
  const seatMap = matchPath("/events/:eventId/shows/:showId/zones/:zoneId", path);
  if (seatMap) return <SeatMapPage key={path} eventId={seatMap.eventId!} showId={seatMap.showId!} zoneId={seatMap.zoneId!} />;
  const queue = matchPath("/queue/:eventId", path);
  if (queue) return <WaitingRoomPage key={queue.eventId} eventId={queue.eventId!} />;
  const checkout = matchPath("/checkout/:bookingId", path) ?? matchPath("/bookings/:bookingId/pay", path);
  if (checkout) return <CheckoutPage key={checkout.bookingId} bookingId={checkout.bookingId!} />;
  return <NotFoundPage />;
}

function App() {
  return (
    <ErrorBoundary>
      <SessionProvider>
        <Layout>
          <Page />
        </Layout>
      </SessionProvider>
    </ErrorBoundary>
  );
}

createRoot(document.getElementById("root")!).render(<App />);
