// Personal access tokens: for scripts. A new token is shown once.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import { field } from '../helpers';
import { ErrorText } from '../components/alert';
import { CopyOnce } from '../components/copy-once';

type TokenRow = NonNullable<Awaited<ReturnType<typeof listTokens>>['data']>[number];
const listTokens = () => api.GET('/api/auth/tokens');

export function Tokens() {
  const [tokens, setTokens] = useState<TokenRow[]>([]);
  const [fresh, setFresh] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => void listTokens().then(({ data, error }) => (data ? setTokens(data) : setError(messageOf(error)))), []);
  useEffect(() => {
    document.title = 'Access tokens · Gallery';
    reload();
  }, [reload]);

  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const days = Number(form.get('days'));
    const { data, error } = await api.POST('/api/auth/tokens', {
      body: { name: field(form, 'name'), scope: form.get('scope') === 'read' ? 'read' : 'read-write', ...(days > 0 ? { expiresInDays: days } : {}) },
    });
    if (!data) return setError(messageOf(error, 'Could not create the token.'));
    setError(null);
    formElement.reset();
    setFresh(data.token);
    reload();
  };
  const revoke = async (id: number) => {
    const { error } = await api.DELETE('/api/auth/tokens/{id}', { params: { path: { id } } });
    if (error) setError(messageOf(error));
    reload();
  };

  const personal = tokens.filter((t) => t.kind === 'personal');
  return (
    <section>
      <h1>Access tokens</h1>
      <p class="muted">
        For scripts and tools: send <code>Authorization: Token …</code>. A read token cannot change anything.
      </p>
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
      {fresh && <CopyOnce label="Your new token" value={fresh} />}
      <ErrorText text={error} />
      {personal.length === 0 ? (
        <p class="muted">No personal tokens.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Starts with</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {personal.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.scope}</td>
                <td>
                  <code>{t.prefix}</code>
                </td>
                <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>{t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : 'never'}</td>
                <td>
                  <button type="button" class="danger" onClick={() => void revoke(t.id)}>
                    Revoke <span class="visually-hidden">{t.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
