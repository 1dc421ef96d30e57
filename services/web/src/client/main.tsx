/** The app: the session, the layout and the page for the current path, inside an error boundary. */
import { createRoot } from "react-dom/client";
import { ErrorBoundary, Layout } from "./components";
import { LoginPage, LogoutPage, RegisterPage } from "./pages/auth-pages";
import { EventPage } from "./pages/event-page";
import { EventsPage } from "./pages/events-page";
import { NotFoundPage } from "./pages/not-found-page";
import { matchPath, useLocation } from "./router";
import { SessionProvider } from "./session";

function Page() {
  const { path } = useLocation();
  if (path === "/" || path === "/events") return <EventsPage />;
  if (path === "/login") return <LoginPage />;
  if (path === "/register") return <RegisterPage />;
  if (path === "/logout") return <LogoutPage />;
  const event = matchPath("/events/:id", path);
  if (event) return <EventPage key={event.id} id={event.id!} />;
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
