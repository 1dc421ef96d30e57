/** A form's submit as the pages run it, and what it shows under the form's fields afterwards. */
import { type FormEvent, useState } from "react";
import { ErrorNotice } from "./components";

/** A form's submit: busy while it runs, its error shown, its success message once done. */
export function useSubmit(action: (form: FormData) => Promise<string | undefined>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone((await action(form)) ?? null);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { submit, error, busy, done };
}

export type Submit = ReturnType<typeof useSubmit>;

/** The last submit's outcome: its error in words, or its success message as a status. */
export function SubmitOutcome({ form }: { form: Submit }) {
  return (
    <>
      <ErrorNotice error={form.error} />
      {form.done ? <p role="status">{form.done}</p> : null}
    </>
  );
}
