/** Register, log in and log out. */
import { useEffect, useRef, useState } from "react";
import { ErrorNotice, Field, NewPasswordField, PageTitle } from "../components";
import { useSubmit } from "../form-submit";
import { Link, navigate, useLocation } from "../router";
import { useSession } from "../session";

/** Where to go after logging in: the page that sent the buyer here, never another site. */
function nextPath(search: URLSearchParams): string {
  const next = search.get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/events";
}

export function LoginPage() {
  const { logIn } = useSession();
  const { search } = useLocation();
  const form = useSubmit(async (data) => {
    await logIn(String(data.get("email")), String(data.get("password")));
    navigate(nextPath(search));
    return undefined;
  });
  return (
    <section className="narrow">
      <PageTitle>Log in</PageTitle>
      <form onSubmit={form.submit} aria-label="Log in">
        <Field label="E-mail" name="email" type="email" autoComplete="email" required maxLength={254} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required maxLength={128} />
        <ErrorNotice error={form.error} />
        <button type="submit" disabled={form.busy}>
          {form.busy ? "Logging in…" : "Log in"}
        </button>
      </form>
      <p>
        New here? <Link href="/register">Create an account</Link>
      </p>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  const { register } = useSession();
  const form = useSubmit(async (data) => {
    await register(String(data.get("name")), String(data.get("email")), String(data.get("password")));
    navigate("/events");
    return undefined;
  });
  return (
    <section className="narrow">
      <PageTitle>Create an account</PageTitle>
      <form onSubmit={form.submit} aria-label="Create an account">
        <Field label="Name" name="name" autoComplete="name" required maxLength={100} />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required maxLength={254} />
        <NewPasswordField label="Password" hint="At least 8 characters." />
        <ErrorNotice error={form.error} />
        <button type="submit" disabled={form.busy}>
          {form.busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/login">Log in</Link>
      </p>
    </section>
  );
}

export function LogoutPage() {
  const { logOut } = useSession();
  const [done, setDone] = useState(false);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    // The session ends here whatever the server answers (session.tsx), so no error to show.
    logOut()
      .catch(() => undefined)
      .finally(() => setDone(true));
  }, [logOut]);
  return (
    <section className="narrow">
      <PageTitle>Log out</PageTitle>
      <p role="status">{done ? "You are logged out." : "Logging out…"}</p>
      {done ? (
        <p>
          <Link href="/events">Browse events</Link> or <Link href="/login">log in again</Link>.
        </p>
      ) : null}
    </section>
  );
}
