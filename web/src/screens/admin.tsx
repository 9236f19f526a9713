// Users (role, active, quota, tokens) and the audit log. Admins only.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client';
import { MoreSentinel, usePaged } from '../paging';
import { ErrorText } from '../components/alert';

type User = NonNullable<Awaited<ReturnType<typeof usersPage>>['data']>[number];
type Role = NonNullable<Awaited<ReturnType<typeof rolesList>>['data']>[number];
const usersPage = (cursor?: string) => api.GET('/api/admin/users', { params: { query: { cursor, limit: 50 } } });
const rolesList = () => api.GET('/api/roles');

export function Admin() {
  const [tab, setTab] = useState<'users' | 'audit'>('users');
  useEffect(() => {
    document.title = 'Admin · Gallery';
  }, []);
  return (
    <section>
      <h1>Admin</h1>
      <div class="row" role="group" aria-label="Admin sections">
        <button type="button" aria-pressed={tab === 'users'} onClick={() => setTab('users')}>
          Users
        </button>
        <button type="button" aria-pressed={tab === 'audit'} onClick={() => setTab('audit')}>
          Audit log
        </button>
      </div>
      {tab === 'users' ? <Users /> : <Audit />}
    </section>
  );
}

function Users() {
  const [roles, setRoles] = useState<Role[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => void rolesList().then(({ data }) => setRoles(data ?? [])), []);
  const page = useCallback((cursor: string | undefined) => usersPage(cursor), []);
  const { items, setItems, loading, hasMore, more } = usePaged<User>(page, [page]);

  const patch = async (user: User, body: { role?: NonNullable<User['role']>; isActive?: boolean; storageQuotaMb?: number | null }) => {
    const { data, error } = await api.PATCH('/api/admin/users/{id}', { params: { path: { id: user.id } }, body });
    if (!data) return setMessage({ text: messageOf(error, 'Could not save.'), error: true });
    setItems((all) => all.map((u) => (u.id === user.id ? { ...u, ...data } : u)));
    setMessage({ text: `${user.username} updated.`, error: false });
  };
  const revokeTokens = async (user: User) => {
    const { data, error } = await api.DELETE('/api/admin/users/{id}/tokens', { params: { path: { id: user.id } } });
    setMessage(data ? { text: `${data.revoked} tokens of ${user.username} revoked.`, error: false } : { text: messageOf(error), error: true });
  };

  return (
    <>
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Active</th>
            <th scope="col">Quota (MB, empty: default)</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((user) => (
            <tr key={user.id}>
              <td>
                {user.username}
                <br />
                <span class="muted small">{user.email}</span>
              </td>
              <td>
                <select aria-label={`Role of ${user.username}`} value={user.role ?? ''} onChange={(e) => void patch(user, { role: e.currentTarget.value as NonNullable<User['role']> })}>
                  {user.role === null && <option value="">(none)</option>}
                  {roles.map((r) => (
                    <option key={r.name} value={r.name}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input type="checkbox" aria-label={`${user.username} is active`} checked={user.isActive} onChange={(e) => void patch(user, { isActive: e.currentTarget.checked })} />
              </td>
              <td>
                <form
                  class="row"
                  onSubmit={(e) => {
                    e.preventDefault();
                    const value = new FormData(e.currentTarget).get('quota');
                    void patch(user, { storageQuotaMb: value === '' || value === null ? null : Number(value) });
                  }}
                >
                  <input name="quota" type="number" min={0} class="short" aria-label={`Quota of ${user.username} in MB`} defaultValue={user.storageQuotaMb === null ? '' : String(user.storageQuotaMb)} />
                  <button type="submit">Set</button>
                </form>
              </td>
              <td>
                <button type="button" onClick={() => void revokeTokens(user)}>
                  Revoke tokens <span class="visually-hidden">of {user.username}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more users" />
    </>
  );
}

function Audit() {
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<'' | 'ok' | 'failed'>('');
  const page = useCallback(
    (cursor: string | undefined) => api.GET('/api/admin/audit', { params: { query: { cursor, limit: 50, action: action || undefined, outcome: outcome || undefined } } }),
    [action, outcome],
  );
  const { items, loading, error, hasMore, more } = usePaged(page, [page]);
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <label>
          Action
          <input value={action} onChange={(e) => setAction(e.currentTarget.value.trim())} placeholder="login, image.upload…" />
        </label>
        <label>
          Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as '' | 'ok' | 'failed')}>
            <option value="">Any</option>
            <option value="ok">ok</option>
            <option value="failed">failed</option>
          </select>
        </label>
      </form>
      <ErrorText text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">Address</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {items.map((event) => (
            <tr key={event.id}>
              <td>{new Date(event.at).toLocaleString()}</td>
              <td>{event.action}</td>
              <td>{event.outcome}</td>
              <td>{event.actor ? event.actor.username : '—'}</td>
              <td>{event.target ?? '—'}</td>
              <td>{event.address ?? '—'}</td>
              <td>{event.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more events" />
    </>
  );
}
