// Invites to register (REGISTRATION=invite): made, listed and revoked by admins. Part of the admin
// screen's chunk.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { CopyOnce } from '../components/copy-once';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { field, formatDate } from '../helpers';

type Invite = NonNullable<Awaited<ReturnType<typeof listInvites>>['data']>[number];
type RoleName = 'admin' | 'beta_player' | 'company_user' | 'subscriber';
const listInvites = (signal: AbortSignal) => api.GET('/api/admin/invites', { signal });
const createInvite = (body: { email?: string; role?: RoleName; expiresInDays?: number }) =>
  api.POST('/api/admin/invites', { body });
const MODES = {
  open: 'Registration is open (REGISTRATION=open): anyone may register; an invite gives the role it names.',
  closed: 'Registration is closed (REGISTRATION=closed): invites work once it is set to invite.',
  invite: 'Registration needs an invite (REGISTRATION=invite).',
};

export function Invites() {
  const list = useData(listInvites, []);
  const settings = useData((signal) => api.GET('/api/auth/settings', { signal }), []);
  const [fresh, setFresh] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const role = field(form, 'role') as RoleName | '';
    const { data, error } = await createInvite({
      email: field(form, 'email') || undefined,
      role: role || undefined,
      expiresInDays: Number(field(form, 'days')) || undefined,
    });
    if (!data) return setNotice({ text: messageOf(error, 'Could not make the invite.'), error: true });
    (event.target as HTMLFormElement).reset();
    setFresh(data.url ?? data.token);
    setNotice({ text: 'Invite made: send the link below to the person you invite.', error: false });
    list.reload();
  };
  const revoke = async (invite: Invite) => {
    const { error } = await api.DELETE('/api/admin/invites/{id}', { params: { path: { id: invite.id } } });
    setNotice(error ? { text: messageOf(error), error: true } : { text: 'Invite revoked.', error: false });
    list.reload();
  };
  const mode = settings.data?.registration;

  return (
    <section aria-labelledby="invites-title" class="panel">
      <h2 id="invites-title">Invites</h2>
      {mode && <p class="muted">{MODES[mode]}</p>}
      <form class="row" onSubmit={(e) => void submit(e)} aria-label="New invite">
        <label>
          Email <span class="muted">(optional: only this address)</span>
          <input name="email" type="email" maxLength={254} />
        </label>
        <label>
          Role
          <select name="role">
            <option value="">The one they pick</option>
            <option value="subscriber">Subscriber</option>
            <option value="company_user">Company User</option>
            <option value="beta_player">Beta Player</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label>
          Expires in (days)
          <input name="days" type="number" min={1} max={90} defaultValue="7" />
        </label>
        <button type="submit" class="primary">
          Make invite
        </button>
      </form>
      <NoticeText notice={notice} />
      {fresh && <CopyOnce label="The invite's link" value={fresh} />}
      {list.error && <ErrorText text={list.error.message} />}
      <InviteTable invites={list.data ?? []} onRevoke={(invite) => void revoke(invite)} />
    </section>
  );
}

function InviteTable({ invites, onRevoke }: { invites: Invite[]; onRevoke: (invite: Invite) => void }) {
  if (invites.length === 0) return <p class="muted">No invites yet.</p>;
  return (
    <table>
      <TableHead columns={['Email', 'Role', 'State', 'Expires', 'Used by']} actions />
      <tbody>
        {invites.map((invite) => (
          <tr key={invite.id}>
            <td data-label="Email">{invite.email ?? 'any address'}</td>
            <td data-label="Role">{invite.role ?? 'their pick'}</td>
            <td data-label="State">{invite.state}</td>
            <td data-label="Expires">{formatDate(invite.expiresAt)}</td>
            <td data-label="Used by">{invite.usedBy?.username ?? ''}</td>
            <td>
              {invite.state === 'pending' && (
                <button type="button" class="danger" onClick={() => onRevoke(invite)}>
                  Revoke <span class="visually-hidden">the invite {invite.id}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
