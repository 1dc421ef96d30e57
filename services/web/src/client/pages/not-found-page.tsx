import { PageTitle } from "../components";
import { Link } from "../router";

export function NotFoundPage() {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at this address. <Link href="/events">Browse the events</Link>.
      </p>
    </>
  );
}
