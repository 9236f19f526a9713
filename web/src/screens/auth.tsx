// Signing in (a session cookie, see session.tsx) and registering, which signs the new account in.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText } from '../components/alert';
import { field } from '../helpers';
import { useJoinSettings } from '../join-settings';
import { loadPasskeySignIn } from '../lazy';
import type { SignInState } from '../passkey';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { useTitle } from '../title';

/** Starts the browser's session (the cookie) for these credentials (and the one-time code, when asked for). */
const startSession = (form: FormData) =>
  api.POST('/api/auth/session', {
    body: {
      username: field(form, 'username'),
      password: field(form, 'password'),
      otp: field(form, 'otp') || undefined,
    },
  });

/** Why a single sign-on came back here (`/signin?sso_error=CODE`), in words. */
function ssoFailure(): string | null {
  const code = new URLSearchParams(location.search).get('sso_error') ?? '';
  if (!/^SSO_[A-Z_]{1,30}$/.test(code)) return null;
  if (code === 'SSO_DENIED') return 'Sign-in was cancelled at the provider.';
  if (code === 'SSO_UNAVAILABLE') return 'The sign-in provider cannot be reached: try again later.';
  if (/EXPIRED|STATE/.test(code)) return 'The sign-in took too long or was begun elsewhere: try again.';
  return `Single sign-on did not work (${code}): ask an admin.`;
}

export function SignIn() {
  const { setMe } = useSession();
  const join = useJoinSettings();
  const [error, setError] = useState<string | null>(ssoFailure);
  const [busy, setBusy] = useState(false);
  // The account has two-factor sign-in: the server asked for a code (OTP_REQUIRED).
  const [askCode, setAskCode] = useState(false);
  const codeField = useRef<HTMLInputElement>(null);
  // As the field enters the page, not after the next paint: what is typed at once goes into it.
  useLayoutEffect(() => codeField.current?.focus(), [askCode]);
  useTitle('Sign in');

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    const { data, error } = await startSession(form);
    setBusy(false);
    if (!data) {
      const code = (error as { code?: string } | undefined)?.code;
      if (code === 'OTP_REQUIRED' || code === 'OTP_INVALID') setAskCode(true);
      return setError(code === 'OTP_REQUIRED' ? null : messageOf(error, 'Could not sign in.'));
    }
    setMe(data.user);
    navigate('/');
  };

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={(e) => void submit(e)} class="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {askCode && (
          <label>
            Code from your authenticator app (or a recovery code)
            <input name="otp" autoComplete="one-time-code" required maxLength={64} ref={codeField} />
          </label>
        )}
        <ErrorText text={error} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      <PasskeyButton setMe={setMe} setError={setError} />
      {join?.sso && (
        <p>
          <a class="button" href="/api/auth/oidc/login">
            Sign in with {join.sso.label}
          </a>
        </p>
      )}
      {join?.passwordReset && (
        <p>
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
      )}
      {join?.registration !== 'closed' && (
        <p>
          No account yet? <Link href="/register">Register</Link>
        </p>
      )}
    </section>
  );
}

/** Shown where the browser has WebAuthn; the rest loads when pressed (passkey.ts). */
function PasskeyButton(props: SignInState) {
  if (!('PublicKeyCredential' in window)) return null;
  return (
    <p>
      <button type="button" onClick={() => void loadPasskeySignIn().then((m) => m.signInWithPasskey(props))}>
        Sign in with a passkey
      </button>
    </p>
  );
}

const register = (form: FormData) =>
  api.POST('/api/auth/register', {
    body: {
      username: field(form, 'username'),
      email: field(form, 'email'),
      password: field(form, 'password'),
      password2: field(form, 'password2'),
      role: field(form, 'role'),
      invite: field(form, 'invite') || undefined,
    },
  });

/** Why registering was refused: each field's problem when the server lists them. */
function refusalOf(error: Awaited<ReturnType<typeof register>>['error']): string {
  const details =
    error && 'details' in error && Array.isArray(error.details) ? error.details.map((d) => d.message).join(' ') : '';
  return details || messageOf(error, 'Could not register.');
}

export function Register() {
  const { setMe } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle('Register');
  const join = useJoinSettings();
  // An invite's link brings its token in the fragment: #invite=…
  const invite = new URLSearchParams(location.hash.slice(1)).get('invite') ?? '';

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    const { data, error } = await register(form);
    if (!data) {
      setBusy(false);
      return setError(refusalOf(error));
    }
    // The server makes the account and no session: the app signs in with what was just typed.
    const session = await startSession(form).catch(() => null);
    setBusy(false);
    if (!session?.data) return setDone(data.username);
    setMe(session.data.user);
    navigate('/');
  };

  if (done) return <Registered username={done} />;
  if (join?.registration === 'closed') return <Closed />;
  return (
    <section class="narrow">
      <h1>Register</h1>
      <form onSubmit={(e) => void submit(e)} class="stack">
        <label>
          Username
          <input name="username" autoComplete="username" required maxLength={150} />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password <span class="muted">(at least 8 characters)</span>
          <input name="password" type="password" autoComplete="new-password" required minLength={8} />
        </label>
        <label>
          Password again
          <input name="password2" type="password" autoComplete="new-password" required minLength={8} />
        </label>
        {(invite || join?.registration === 'invite') && (
          <label>
            Invite code <span class="muted">(from the link an admin sent you)</span>
            <input name="invite" required defaultValue={invite} autoComplete="off" />
          </label>
        )}
        <label>
          Account type
          <select name="role">
            <option value="subscriber">Subscriber</option>
            <option value="company_user">Company User</option>
          </select>
        </label>
        <ErrorText text={error} />
        <button type="submit" class="primary" disabled={busy}>
          Register
        </button>
      </form>
      <p>
        Already registered? <Link href="/signin">Sign in</Link>
      </p>
    </section>
  );
}

function Closed() {
  return (
    <section class="narrow">
      <h1>Register</h1>
      <p role="status">
        Registration is closed on this server: an admin makes accounts. <Link href="/signin">Sign in</Link>
      </p>
    </section>
  );
}

function Registered({ username }: { username: string }) {
  return (
    <section class="narrow">
      <h1>Account created</h1>
      <p role="status">
        Welcome, {username}. <Link href="/signin">Sign in</Link> with your new account.
      </p>
    </section>
  );
}
