// Two-factor sign-in: turning it on (a QR code for the authenticator app, confirmed by a code), the
// recovery codes (shown once), new ones, and turning it off; then the passkeys, and where the account is signed in.
// Loaded when first opened.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { useData } from '../data';
import { field, formatDate } from '../helpers';
import { useTitle } from '../title';
import { Passkeys } from './security-passkeys';
import { Sessions } from './security-sessions';

type Enrolment = { secret: string; qrSvg: string };

const loadStatus = (signal: AbortSignal) => api.GET('/api/auth/2fa', { signal });

export function Security() {
  useTitle('Security');
  const status = useData(loadStatus, []);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const changed = (next: { codes?: string[]; text: string }) => {
    setCodes(next.codes ?? null);
    setNotice({ text: next.text, error: false });
    status.reload();
  };
  const on = status.data?.enabled;
  return (
    <section class="narrow">
      <h1>Security</h1>
      <h2>Two-factor sign-in</h2>
      <ErrorText text={status.error?.message} />
      <NoticeText notice={notice} />
      {codes && <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />}
      {status.data && !codes && (
        <p>
          {on
            ? `On since ${formatDate(status.data.enabledAt)}. ${status.data.recoveryCodesLeft} recovery codes left.`
            : 'Off: your password alone signs you in.'}
        </p>
      )}
      {status.data && !on && <TurnOn onDone={(c) => changed({ codes: c, text: 'Two-factor sign-in is on.' })} />}
      {on && !codes && (
        <>
          <NewCodes
            onDone={(c) => changed({ codes: c, text: 'New recovery codes made; the old ones no longer work.' })}
          />
          <TurnOff onDone={() => changed({ text: 'Two-factor sign-in is off.' })} />
        </>
      )}
      <Passkeys />
      <Sessions />
    </section>
  );
}

/** The code field of the forms below: digits of the app, or a recovery code where `recovery`. */
function CodeField({ recovery = false }: { recovery?: boolean }) {
  return (
    <label>
      {recovery ? 'Code from the app, or a recovery code' : 'Code from the app'}
      <input
        name="otp"
        required
        autoComplete="one-time-code"
        maxLength={64}
        {...(recovery ? {} : { inputMode: 'numeric' })}
      />
    </label>
  );
}

function TurnOn({ onDone }: { onDone: (codes: string[]) => void }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const begin = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setError(null);
    const { data, error } = await api.POST('/api/auth/2fa/enrol', { body: { password: field(form, 'password') } });
    if (!data) return setError(messageOf(error, 'Could not begin.'));
    setEnrolment(data);
  };
  const confirm = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.POST('/api/auth/2fa/confirm', { body: { otp: field(form, 'otp') } });
    if (!data) return setError(messageOf(error, 'Could not confirm.'));
    onDone(data.recoveryCodes);
  };
  if (!enrolment)
    return (
      <form class="panel stack" onSubmit={(e) => void begin(e)} aria-label="Turn on two-factor sign-in">
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorText text={error} />
        <button type="submit" class="primary">
          Turn on two-factor sign-in
        </button>
      </form>
    );
  return (
    <form class="panel stack" onSubmit={(e) => void confirm(e)} aria-label="Confirm two-factor sign-in">
      <p>Scan this code with an authenticator app, then type the six digits it shows.</p>
      <img
        src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
        alt="QR code of the secret for your authenticator app"
        width={200}
        height={200}
      />
      <p>
        Or type this secret into the app: <code data-testid="totp-secret">{enrolment.secret}</code>
      </p>
      <CodeField />
      <ErrorText text={error} />
      <button type="submit" class="primary">
        Confirm
      </button>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div class="panel stack">
      <h3>Your recovery codes</h3>
      <p>Each signs you in once instead of a code of the app. Keep them somewhere safe: they are not shown again.</p>
      <ul aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div class="row wrap">
        <button type="button" onClick={() => void navigator.clipboard.writeText(codes.join('\n')).catch(() => {})}>
          Copy the codes
        </button>
        <button type="button" class="primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

/** A form that sends a code (and maybe the password) and reports what the server said. */
function useCodeForm<T>(send: (form: FormData) => Promise<{ data?: T; error?: unknown }>, onDone: (data: T) => void) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const { data, error } = await send(new FormData(element));
    if (!data) return setError(messageOf(error, 'That did not work.'));
    setError(null);
    element.reset();
    onDone(data);
  };
  return { error, submit: (event: Event) => void submit(event) };
}

function NewCodes({ onDone }: { onDone: (codes: string[]) => void }) {
  const send = (form: FormData) => api.POST('/api/auth/2fa/recovery-codes', { body: { otp: field(form, 'otp') } });
  const { error, submit } = useCodeForm(send, (data) => onDone(data.recoveryCodes));
  return (
    <form class="panel stack" onSubmit={submit} aria-label="New recovery codes">
      <h3>New recovery codes</h3>
      <CodeField recovery />
      <ErrorText text={error} />
      <button type="submit">Make new recovery codes</button>
    </form>
  );
}

function TurnOff({ onDone }: { onDone: () => void }) {
  const send = (form: FormData) =>
    api.POST('/api/auth/2fa/disable', { body: { password: field(form, 'password'), otp: field(form, 'otp') } });
  const { error, submit } = useCodeForm(send, onDone);
  return (
    <form class="panel stack" onSubmit={submit} aria-label="Turn off two-factor sign-in">
      <h3>Turn it off</h3>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <CodeField recovery />
      <ErrorText text={error} />
      <button type="submit" class="danger">
        Turn off two-factor sign-in
      </button>
    </form>
  );
}
