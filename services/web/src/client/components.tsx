/** The pieces every page uses: the layout and its landmarks, the page heading, errors, form fields. */
import { Component, type ErrorInfo, type InputHTMLAttributes, type ReactNode, useEffect, useId, useRef } from "react";
import { ApiError } from "./api";
import { loginPath } from "./bookings";
import { messageFor } from "./messages";
import { Link } from "./router";
import { useSession } from "./session";

export function Layout({ children }: { children: ReactNode }) {
  const { user } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link href="/" className="brand">
          Booking Rush
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/events">Events</Link>
            </li>
            {user ? (
              <>
                <li>
                  <Link href="/bookings">My bookings</Link>
                </li>
                {user.role !== "user" ? (
                  <li>
                    <Link href="/organizer">My events</Link>
                  </li>
                ) : null}
                {user.role === "admin" ? (
                  <li>
                    <Link href="/organizer/branding">Branding</Link>
                  </li>
                ) : null}
                <li>
                  <Link href="/profile">Profile ({user.name})</Link>
                </li>
                <li>
                  <Link href="/logout">Log out</Link>
                </li>
              </>
            ) : (
              <>
                <li>
                  <Link href="/login">Log in</Link>
                </li>
                <li>
                  <Link href="/register">Register</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>Booking Rush: tickets sold once, fairly.</p>
      </footer>
    </>
  );
}

/** The page's one h1, focused when the page opens so a screen reader announces the new page. */
export function PageTitle({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (typeof children === "string") document.title = `${children} · Booking Rush`;
    heading.current?.focus({ preventScroll: true });
  }, [children]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An error as the buyer reads it (or as `describe` words it for one page), with the request id to quote to support. */
export function ErrorNotice({ error, describe }: { error: unknown; describe?: (error: ApiError) => string }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  const message = apiError ? (describe?.(apiError) ?? apiError.humanMessage) : messageFor({ code: "INTERNAL_ERROR", status: 500 });
  return (
    <div role="alert" className="notice notice-error">
      <p>{message}</p>
      {apiError?.requestId ? (
        <p className="request-id">
          Reference: <code>{apiError.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="loading">
      Loading {what}…
    </p>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string };

export function Field({ label, hint, error, ...input }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={describedBy || undefined} aria-invalid={error ? true : undefined} {...input} />
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A whole number's field: the number keypad on a phone. */
export function NumberField(props: Omit<FieldProps, "type" | "inputMode">) {
  return <Field type="number" inputMode="numeric" {...props} />;
}

/** A new password's field, as the API takes one (8 to 128 characters), offered to password managers as new. */
export function NewPasswordField({ label = "New password", hint }: { label?: string; hint?: string }) {
  return (
    <Field label={label} name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={128} hint={hint} />
  );
}

/** Never a blank page: a render error shows a message and a way back. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("page failed", error, info.componentStack);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main id="main" className="page-failed">
        <h1>Something went wrong</h1>
        <p role="alert">{messageFor({ code: "INTERNAL_ERROR", status: 500 })}</p>
        <p>
          <a href="/">Back to the events</a>
        </p>
      </main>
    );
  }
}

/** For a stranger on a page that needs a session: the way to log in and come back here, and why. */
export function LogInTo({ children }: { children: ReactNode }) {
  return (
    <p>
      <Link href={loginPath()}>Log in</Link> {children}
    </p>
  );
}
