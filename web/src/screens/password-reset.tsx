// A forgotten password: asking for a link by email, and the screen the link opens (its token in
// the fragment, #token=…, which no server sees). Loaded when first opened.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText } from '../components/alert';
import { field } from '../helpers';
import { Link } from '../router';
import { useSession } from '../session';
import { useTitle } from '../title';

export function ForgotPassword() {
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle('Forgot password');

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    const { data, error } = await api.POST('/api/auth/password/forgot', { body: { email: field(form, 'email') } });
    setBusy(false);
    if (!data) return setError(messageOf(error, 'Could not ask for a link.'));
    setSent(data.message);
  };

  return (
    <section class="narrow">
      <h1>Forgot password</h1>
      {sent ? (
        <p role="status">{sent}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)} class="stack">
          <p class="muted">We mail a link to choose a new password to the address of your account.</p>
          <label>
            Email
            <input name="email" type="email" autoComplete="email" required />
          </label>
          <ErrorText text={error} />
          <button type="submit" class="primary" disabled={busy}>
            Send the link
          </button>
        </form>
      )}
      <p>
        <Link href="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ResetPassword() {
  const { setMe } = useSession();
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get('token') ?? '');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle('Choose a new password');

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    if (field(form, 'password') !== field(form, 'password2')) return setError('The two passwords differ.');
    setBusy(true);
    setError(null);
    const { data, error } = await api.POST('/api/auth/password/reset', {
      body: { token, password: field(form, 'password') },
    });
    setBusy(false);
    if (!data) {
      const details = error && 'details' in error && Array.isArray(error.details) ? error.details : [];
      return setError(details.map((d) => d.message).join(' ') || messageOf(error, 'Could not set the password.'));
    }
    // Every session of the account has ended, this browser's too.
    setMe(null);
    history.replaceState(history.state, '', location.pathname);
    setDone(true);
  };

  if (done)
    return (
      <section class="narrow">
        <h1>Password changed</h1>
        <p role="status">
          Your account is signed out everywhere. <Link href="/signin">Sign in</Link> with the new password.
        </p>
      </section>
    );
  return (
    <section class="narrow">
      <h1>Choose a new password</h1>
      {token ? (
        <form onSubmit={(e) => void submit(e)} class="stack">
          <label>
            New password <span class="muted">(at least 8 characters)</span>
            <input name="password" type="password" autoComplete="new-password" required minLength={8} />
          </label>
          <label>
            New password again
            <input name="password2" type="password" autoComplete="new-password" required minLength={8} />
          </label>
          <ErrorText text={error} />
          <button type="submit" class="primary" disabled={busy}>
            Set the password
          </button>
        </form>
      ) : (
        <ErrorText text="This address carries no reset link. Open the link from the mail, or ask for a new one." />
      )}
      <p>
        <Link href="/forgot-password">Ask for a new link</Link>
      </p>
    </section>
  );
}
