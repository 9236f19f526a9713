// Users (role, active, two-factor, quota, tokens), groups and the audit log. Admins only.
import { useCallback, useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { useConfirm } from '../components/confirm';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { formatDateTime } from '../helpers';
import { MoreSentinel, usePaged } from '../paging';
import { useTitle } from '../title';
import { Groups } from './admin-groups';
import { Invites } from './admin-invites';
import { resetTwoFactor, TwoFactorCell } from './admin-two-factor';

type User = NonNullable<Awaited<ReturnType<typeof usersPage>>['data']>[number];
type Role = NonNullable<Awaited<ReturnType<typeof rolesList>>['data']>[number];
type UserChange = { role?: NonNullable<User['role']>; isActive?: boolean; storageQuotaMb?: number | null };
type Outcome = '' | 'ok' | 'failed';
const usersPage = (cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/admin/users', { params: { query: { cursor, limit: 50 } }, signal });
const rolesList = (signal: AbortSignal) => api.GET('/api/roles', { signal });
type AuditEvent = NonNullable<Awaited<ReturnType<typeof auditPage>>['data']>[number];
const auditPage = (action: string, outcome: Outcome, cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/admin/audit', {
    params: { query: { cursor, limit: 50, action: action || undefined, outcome: outcome || undefined } },
    signal,
  });

export function Admin() {
  const [tab, setTab] = useState<'users' | 'groups' | 'audit' | 'invites'>('users');
  useTitle('Admin');
  return (
    <section>
      <h1>Admin</h1>
      <div class="row" role="group" aria-label="Admin sections">
        <button type="button" aria-pressed={tab === 'users'} onClick={() => setTab('users')}>
          Users
        </button>
        <button type="button" aria-pressed={tab === 'groups'} onClick={() => setTab('groups')}>
          Groups
        </button>
        <button type="button" aria-pressed={tab === 'audit'} onClick={() => setTab('audit')}>
          Audit log
        </button>
        <button type="button" aria-pressed={tab === 'invites'} onClick={() => setTab('invites')}>
          Invites
        </button>
      </div>
      {tab === 'users' ? <Users /> : tab === 'groups' ? <Groups /> : tab === 'audit' ? <Audit /> : <Invites />}
    </section>
  );
}

function Users() {
  const roles = useData(rolesList, []);
  const [notice, setNotice] = useState<Notice | null>(null);
  const { items, setItems, loading, hasMore, more } = usePaged<User>(usersPage, []);
  const confirm = useConfirm();
  const labelOf = (role: User['role']) => roles.data?.find((r) => r.name === role)?.label ?? role ?? 'no role';

  const patch = async (user: User, body: UserChange) => {
    const { data, error } = await api.PATCH('/api/admin/users/{id}', { params: { path: { id: user.id } }, body });
    if (!data) return setNotice({ text: messageOf(error, 'Could not save.'), error: true });
    setItems((all) => all.map((u) => (u.id === user.id ? { ...u, ...data } : u)));
    setNotice({ text: `${user.username} updated.`, error: false });
  };
  // The select shows the new role only once the server has it.
  const changeRole = async (user: User, select: HTMLSelectElement) => {
    const role = select.value as NonNullable<User['role']>;
    const yes = await confirm.ask({
      title: `Change the role of ${user.username}?`,
      detail: `From ${labelOf(user.role)} to ${labelOf(role)}: what ${user.username} may do changes at once.`,
      action: 'Change role',
    });
    select.value = user.role ?? '';
    if (yes) await patch(user, { role });
  };
  const revokeTokens = async (user: User) => {
    const yes = await confirm.ask({
      title: `Revoke every token of ${user.username}?`,
      detail: `${user.username} is signed out everywhere, and their scripts and tools are refused until they make new tokens.`,
      action: 'Revoke tokens',
      danger: true,
    });
    if (!yes) return;
    const { data, error } = await api.DELETE('/api/admin/users/{id}/tokens', { params: { path: { id: user.id } } });
    setNotice(
      data
        ? { text: `${data.revoked} tokens of ${user.username} revoked.`, error: false }
        : { text: messageOf(error), error: true },
    );
  };

  return (
    <>
      <NoticeText notice={notice} />
      <table>
        <TableHead columns={['User', 'Role', 'Active', 'Two-factor', 'Quota (MB, empty: default)']} actions />
        <tbody>
          {items.map((user) => (
            <UserRow
              key={user.id}
              user={user}
              roles={roles.data ?? []}
              onChange={(body) => void patch(user, body)}
              onRole={(select) => void changeRole(user, select)}
              onRevokeTokens={() => void revokeTokens(user)}
              onResetTwoFactor={() => void resetTwoFactor(user, { ask: confirm.ask, setItems, setNotice })}
            />
          ))}
        </tbody>
      </table>
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more users" />
      {confirm.dialog}
    </>
  );
}

type UserRowProps = {
  user: User;
  roles: Role[];
  onChange: (body: UserChange) => void;
  /** Another role picked in the select: asked before it is saved. */
  onRole: (select: HTMLSelectElement) => void;
  onRevokeTokens: () => void;
  onResetTwoFactor: () => void;
};

function UserRow({ user, roles, onChange, onRole, onRevokeTokens, onResetTwoFactor }: UserRowProps) {
  const setQuota = (event: Event) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget as HTMLFormElement).get('quota');
    onChange({ storageQuotaMb: value === '' || value === null ? null : Number(value) });
  };
  return (
    <tr>
      <td data-label="User">
        {user.username}
        <br />
        <span class="muted small">{user.email}</span>
      </td>
      <td data-label="Role">
        <select
          aria-label={`Role of ${user.username}`}
          value={user.role ?? ''}
          onChange={(e) => onRole(e.currentTarget)}
        >
          {user.role === null && <option value="">(none)</option>}
          {roles.map((r) => (
            <option key={r.name} value={r.name}>
              {r.label}
            </option>
          ))}
        </select>
      </td>
      <td data-label="Active">
        <input
          type="checkbox"
          aria-label={`${user.username} is active`}
          checked={user.isActive}
          onChange={(e) => onChange({ isActive: e.currentTarget.checked })}
        />
      </td>
      <TwoFactorCell user={user} onReset={onResetTwoFactor} />
      <td data-label="Quota (MB)">
        <form class="row" onSubmit={setQuota}>
          <input
            name="quota"
            type="number"
            min={0}
            class="short"
            aria-label={`Quota of ${user.username} in MB`}
            defaultValue={user.storageQuotaMb === null ? '' : String(user.storageQuotaMb)}
          />
          <button type="submit">Set</button>
        </form>
      </td>
      <td>
        <button type="button" onClick={onRevokeTokens}>
          Revoke tokens <span class="visually-hidden">of {user.username}</span>
        </button>
      </td>
    </tr>
  );
}

function Audit() {
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<Outcome>('');
  const page = useCallback(
    (cursor: string | undefined, signal: AbortSignal) => auditPage(action, outcome, cursor, signal),
    [action, outcome],
  );
  const { items, loading, error, hasMore, more } = usePaged(page, [page]);
  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <label>
          Action
          <input
            value={action}
            onChange={(e) => setAction(e.currentTarget.value.trim())}
            placeholder="login, image.upload…"
          />
        </label>
        <label>
          Outcome
          <select value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as Outcome)}>
            <option value="">Any</option>
            <option value="ok">ok</option>
            <option value="failed">failed</option>
          </select>
        </label>
      </form>
      <ErrorText text={error?.message} />
      <AuditTable events={items} />
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more events" />
    </>
  );
}

function AuditTable({ events }: { events: AuditEvent[] }) {
  return (
    <table>
      <TableHead columns={['When', 'Action', 'Outcome', 'Actor', 'Target', 'Address', 'Detail']} />
      <tbody>
        {events.map((event) => (
          <tr key={event.id}>
            <td data-label="When">{formatDateTime(event.at)}</td>
            <td data-label="Action">{event.action}</td>
            <td data-label="Outcome">{event.outcome}</td>
            <td data-label="Actor">{event.actor ? event.actor.username : '—'}</td>
            <td data-label="Target">{event.target ?? '—'}</td>
            <td data-label="Address">{event.address ?? '—'}</td>
            <td data-label="Detail">{event.detail ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
