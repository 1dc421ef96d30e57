/** Forgot password, reset password, and the profile (name, date of birth, password). */
import { refreshTokens, request } from "../api";
import { ErrorNotice, Field, Loading, LogInTo, NewPasswordField, PageTitle } from "../components";
import { SubmitOutcome, useSubmit } from "../form-submit";
import { Link, navigate, useLocation } from "../router";
import { useSession } from "../session";
import type { User } from "../types";
import { useResource } from "../use-resource";

export function ForgotPasswordPage() {
  const form = useSubmit(async (data) => {
    await request("/auth/forgot-password", { method: "POST", body: { email: String(data.get("email")) } });
    return "If an account exists for that address, we have e-mailed it a link to choose a new password.";
  });
  return (
    <section className="narrow">
      <PageTitle>Forgot your password?</PageTitle>
      <form onSubmit={form.submit} aria-label="Forgot password">
        <Field label="E-mail" name="email" type="email" autoComplete="email" required maxLength={254} />
        <SubmitOutcome form={form} />
        <button type="submit" disabled={form.busy}>
          Send the link
        </button>
      </form>
      <p>
        <Link href="/reset-password">I have a reset code</Link>
      </p>
    </section>
  );
}

export function ResetPasswordPage() {
  const { search } = useLocation();
  const fromLink = search.get("token") ?? "";
  const form = useSubmit(async (data) => {
    await request("/auth/reset-password", {
      method: "POST",
      body: { token: String(data.get("token")).trim(), password: String(data.get("password")) },
    });
    navigate("/login", { replace: true });
    return undefined;
  });
  return (
    <section className="narrow">
      <PageTitle>Choose a new password</PageTitle>
      <form onSubmit={form.submit} aria-label="Choose a new password">
        {fromLink ? (
          <input type="hidden" name="token" value={fromLink} />
        ) : (
          <Field
            label="Reset code"
            name="token"
            required
            maxLength={512}
            autoComplete="one-time-code"
            hint="From the e-mail we sent you."
          />
        )}
        <NewPasswordField hint="At least 8 characters. Every session of your account ends; log in again afterwards." />
        <ErrorNotice error={form.error} />
        <button type="submit" disabled={form.busy}>
          Set the new password
        </button>
      </form>
    </section>
  );
}

type Profile = User & { date_of_birth: string | null };

export function ProfilePage() {
  const { user, checked } = useSession();
  const profile = useResource((signal) => (user ? request<Profile>("/auth/me", { signal }) : Promise.resolve(undefined)), [user?.id]);
  const details = useSubmit(async (data) => {
    const dateOfBirth = String(data.get("date_of_birth") ?? "");
    const changed = await request<Profile>("/auth/me", {
      method: "PUT",
      body: { name: String(data.get("name")), ...(dateOfBirth ? { date_of_birth: dateOfBirth } : {}) },
    });
    // The access token carries the date of birth (age-restricted sales read it): a new one carries the change.
    if (changed.date_of_birth !== profile.value?.date_of_birth) await refreshTokens();
    profile.reload();
    return "Saved.";
  });
  const password = useSubmit(async (data) => {
    await request("/auth/me", {
      method: "PUT",
      body: { current_password: String(data.get("current_password")), password: String(data.get("password")) },
    });
    return "Your password is changed.";
  });

  if (checked && !user)
    return (
      <>
        <PageTitle>Your profile</PageTitle>
        <LogInTo>to see your profile.</LogInTo>
      </>
    );
  return (
    <section className="narrow">
      <PageTitle>Your profile</PageTitle>
      <ErrorNotice error={profile.error} />
      {!profile.value ? (
        <Loading what="your profile" />
      ) : (
        <>
          <p>
            Signed in as <strong>{profile.value.email}</strong>.
          </p>
          <form onSubmit={details.submit} aria-label="Your details" key={`${profile.value.name}-${profile.value.date_of_birth}`}>
            <Field label="Name" name="name" autoComplete="name" required maxLength={100} defaultValue={profile.value.name} />
            <Field
              label="Date of birth"
              name="date_of_birth"
              type="date"
              autoComplete="bday"
              defaultValue={profile.value.date_of_birth ?? ""}
              hint="Needed for events with a minimum age."
            />
            <SubmitOutcome form={details} />
            <button type="submit" disabled={details.busy}>
              Save
            </button>
          </form>
          <h2>Change your password</h2>
          <form onSubmit={password.submit} aria-label="Change your password">
            <Field
              label="Current password"
              name="current_password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={128}
            />
            <NewPasswordField />
            <SubmitOutcome form={password} />
            <button type="submit" disabled={password.busy}>
              Change password
            </button>
          </form>
        </>
      )}
    </section>
  );
}
