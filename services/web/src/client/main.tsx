/** The app: the session, the layout and the page for the current path, inside an error boundary. */
import { createRoot } from "react-dom/client";
import { ErrorBoundary, Layout } from "./components";
import { matchPath, pagePatterns } from "./page-patterns";
import { pages } from "./pages";
import { NotFoundPage } from "./pages/not-found-page";
import { useLocation } from "./router";
import { SessionProvider } from "./session";

function Page() {
  const { path } = useLocation();
  for (const pattern of pagePatterns) {
    const params = matchPath(pattern, path);
    if (params) return pages[pattern](params);
  }
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
