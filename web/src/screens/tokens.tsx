// Personal access tokens: for scripts. A new token is shown once. The way to the Security screen.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText } from '../components/alert';
import { useConfirm } from '../components/confirm';
import { CopyOnce } from '../components/copy-once';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { field, formatDate, formatDateTime } from '../helpers';
import { Link } from '../router';
import { useTitle } from '../title';

type TokenRow = NonNullable<Awaited<ReturnType<typeof listTokens>>['data']>[number];
const listTokens = (signal: AbortSignal) => api.GET('/api/auth/tokens', { signal });

export function Tokens() {
  useTitle('Access tokens');
  const tokens = useData(listTokens, []);
  const [fresh, setFresh] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const confirm = useConfirm();
  const revoke = async ({ id, name }: TokenRow) => {
    const yes = await confirm.ask({
      title: `Revoke the token "${name}"?`,
      detail: 'Scripts and tools that use it are refused from now on. This cannot be undone.',
      action: 'Revoke token',
      danger: true,
    });
    if (!yes) return;
    const { error } = await api.DELETE('/api/auth/tokens/{id}', { params: { path: { id } } });
    if (error) setError(messageOf(error));
    tokens.reload();
  };
  const created = (token: string) => {
    setError(null);
    setFresh(token);
    tokens.reload();
  };
  const personal = (tokens.data ?? []).filter((t) => t.kind === 'personal');

  return (
    <section>
      <h1>Access tokens</h1>
      <p class="muted">
        For scripts and tools: send <code>Authorization: Token …</code>. A read token cannot change anything.
      </p>
      <p>
        Two-factor sign-in and recovery codes: <Link href="/security">Security</Link>.
      </p>
      <NewToken onCreated={created} onRefused={setError} />
      {fresh && <CopyOnce label="Your new token" value={fresh} />}
      <ErrorText text={error ?? tokens.error?.message} />
      {personal.length === 0 ? (
        <p class="muted">No personal tokens.</p>
      ) : (
        <TokenTable tokens={personal} onRevoke={(token) => void revoke(token)} />
      )}
      {confirm.dialog}
    </section>
  );
}

function NewToken({ onCreated, onRefused }: { onCreated: (token: string) => void; onRefused: (text: string) => void }) {
  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const days = Number(form.get('days'));
    const { data, error } = await api.POST('/api/auth/tokens', {
      body: {
        name: field(form, 'name'),
        scope: form.get('scope') === 'read' ? 'read' : 'read-write',
        ...(days > 0 ? { expiresInDays: days } : {}),
      },
    });
    if (!data) return onRefused(messageOf(error, 'Could not create the token.'));
    formElement.reset();
    onCreated(data.token);
  };
  return (
    <form class="panel row wrap" onSubmit={(e) => void create(e)} aria-label="New access token">
      <label>
        Name
        <input name="name" required maxLength={100} />
      </label>
      <label>
        Scope
        <select name="scope">
          <option value="read">Read only</option>
          <option value="read-write">Read and write</option>
        </select>
      </label>
      <label>
        Expires in (days)
        <input name="days" type="number" min={1} max={365} defaultValue="90" />
      </label>
      <button type="submit" class="primary">
        Create token
      </button>
    </form>
  );
}

function TokenTable({ tokens, onRevoke }: { tokens: TokenRow[]; onRevoke: (token: TokenRow) => void }) {
  return (
    <table>
      <TableHead columns={['Name', 'Scope', 'Starts with', 'Last used', 'Expires']} actions />
      <tbody>
        {tokens.map((t) => (
          <tr key={t.id}>
            <td data-label="Name">{t.name}</td>
            <td data-label="Scope">{t.scope}</td>
            <td data-label="Starts with">
              <code>{t.prefix}</code>
            </td>
            <td data-label="Last used">{formatDateTime(t.lastUsedAt)}</td>
            <td data-label="Expires">{formatDate(t.expiresAt)}</td>
            <td>
              <button type="button" class="danger" onClick={() => onRevoke(t)}>
                Revoke <span class="visually-hidden">{t.name}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
