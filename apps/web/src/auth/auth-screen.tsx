import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { ErrorAlert } from '../ui/error-alert';
import { Field } from '../ui/field';
import type { UserAuth } from './user-auth';

type Mode = 'sign-in' | 'sign-up';

const HEADINGS: Record<Mode, string> = { 'sign-in': 'Sign in', 'sign-up': 'Create an account' };

/** Sign in, or create an account (which signs in at once). */
export function AuthScreen({ auth }: { auth: UserAuth }) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const switched = useRef(false);

  useEffect(() => {
    // After a switch, focus follows to the new form's heading (not on the first render).
    if (switched.current) heading.current?.focus();
  }, [mode]);

  const onSubmit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = text(form, 'email').trim();
    const password = text(form, 'password');
    setBusy(true);
    setError(null);
    try {
      if (mode === 'sign-in') await auth.signIn(email, password);
      else await auth.signUp(email, password, text(form, 'displayName'));
    } catch (caught) {
      setError(explain(caught, mode));
      setBusy(false);
    }
  };

  const other: Mode = mode === 'sign-in' ? 'sign-up' : 'sign-in';
  return (
    <section class="card auth" aria-labelledby="auth-heading">
      <h1 id="auth-heading" ref={heading} tabIndex={-1}>
        {HEADINGS[mode]}
      </h1>
      {auth.notice() !== null && <p class="muted">{auth.notice()}</p>}
      <form onSubmit={(event) => void onSubmit(event)} aria-busy={busy}>
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete={mode === 'sign-in' ? 'username' : 'email'}
          required
          maxLength={254}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'sign-up' ? 8 : undefined}
          maxLength={128}
          hint={mode === 'sign-up' ? 'At least 8 characters.' : undefined}
        />
        {mode === 'sign-up' ? (
          <Field
            label="Display name"
            name="displayName"
            type="text"
            autocomplete="nickname"
            maxLength={100}
            hint="Optional."
          />
        ) : null}
        <ErrorAlert error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
        </button>
      </form>
      <p class="switch">
        <button
          type="button"
          class="link"
          onClick={() => {
            switched.current = true;
            setError(null);
            setMode(other);
          }}
        >
          {mode === 'sign-in' ? 'Create an account' : 'I have an account'}
        </button>
      </p>
    </section>
  );
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

function explain(error: unknown, mode: Mode): unknown {
  if (!(error instanceof ApiError)) return error;
  if (mode === 'sign-in' && error.code === 'UNAUTHENTICATED') {
    return 'The email or the password is not right.';
  }
  if (mode === 'sign-up' && error.code === 'CONFLICT') {
    return 'An account with this email exists already. Sign in instead.';
  }
  return error;
}
