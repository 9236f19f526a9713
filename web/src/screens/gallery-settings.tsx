// Members and share links of one gallery (its owner and admins).
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { formatDate } from '../helpers';
import { Link } from '../router';
import { useSession } from '../session';
import { useTitle } from '../title';
import { mayManage } from './gallery';
import { AddMember } from './gallery-add-member';
import { ShareLinks } from './gallery-links';

type Member = NonNullable<Awaited<ReturnType<typeof listMembers>>['data']>[number];
/** A member as the table names it: a user by username, a group by its name. */
const nameOf = (member: Member) => ('user' in member ? member.user.username : `${member.group.name} (group)`);
const listMembers = (id: number, signal?: AbortSignal) =>
  api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id } }, signal });

export function GallerySettings({ galleryId }: { galleryId: number }) {
  const { me } = useSession();
  const { data: gallery, error } = useData(
    (signal) => api.GET('/api/gallery/galleries/{id}', { params: { path: { id: galleryId } }, signal }),
    [galleryId],
  );
  useTitle(gallery && `Members and links: ${gallery.name}`);
  if (error) return <ErrorText text={error.message} />;
  if (!gallery)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  const manager = mayManage(me, gallery);
  return (
    <section>
      <p class="crumbs">
        <Link href="/">Galleries</Link> / <Link href={`/galleries/${gallery.id}`}>{gallery.name}</Link> /
      </p>
      <h1>Members and share links</h1>
      <p class="meta">
        Visibility: <span class="badge">{gallery.visibility}</span>{' '}
        {gallery.visibility === 'private'
          ? 'only its owner, its members and admins see it.'
          : 'every signed-in account sees it.'}
      </p>
      {manager ? (
        <>
          <Members galleryId={galleryId} />
          <ShareLinks galleryId={galleryId} />
        </>
      ) : (
        <>
          <ErrorText text="Only the owner of this gallery or an admin can manage it." />
          <Link href={`/galleries/${gallery.id}`}>Back to the gallery</Link>
        </>
      )}
    </section>
  );
}

function Members({ galleryId }: { galleryId: number }) {
  const list = useData((signal) => listMembers(galleryId, signal), [galleryId]);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Every change is followed by the list as the server now has it.
  const report = (error: unknown, success: string) => {
    setNotice(error ? { text: messageOf(error), error: true } : { text: success, error: false });
    list.reload();
  };
  const setRole = async (member: Member, role: 'viewer' | 'editor') => {
    const { error } =
      'user' in member
        ? await api.PATCH('/api/gallery/galleries/{id}/members/{userId}', {
            params: { path: { id: galleryId, userId: member.user.id } },
            body: { role },
          })
        : await api.PATCH('/api/gallery/galleries/{id}/members/groups/{groupId}', {
            params: { path: { id: galleryId, groupId: member.group.id } },
            body: { role },
          });
    report(error, `${nameOf(member)} is now ${role}.`);
  };
  const remove = async (member: Member) => {
    const { error } =
      'user' in member
        ? await api.DELETE('/api/gallery/galleries/{id}/members/{userId}', {
            params: { path: { id: galleryId, userId: member.user.id } },
          })
        : await api.DELETE('/api/gallery/galleries/{id}/members/groups/{groupId}', {
            params: { path: { id: galleryId, groupId: member.group.id } },
          });
    report(error, `${nameOf(member)} removed.`);
  };
  const members = list.data ?? [];

  return (
    <section aria-labelledby="members-title" class="panel">
      <h2 id="members-title">Members</h2>
      {members.length === 0 ? (
        <p class="muted">No members: only you and admins see a private gallery.</p>
      ) : (
        <MemberTable members={members} onRole={(m, role) => void setRole(m, role)} onRemove={(m) => void remove(m)} />
      )}
      <AddMember
        galleryId={galleryId}
        by="username"
        onAdded={(text) => report(null, text)}
        onRefused={(text) => setNotice({ text, error: true })}
      />
      <AddMember
        galleryId={galleryId}
        by="group"
        onAdded={(text) => report(null, text)}
        onRefused={(text) => setNotice({ text, error: true })}
      />
      <NoticeText notice={notice} />
    </section>
  );
}

type MemberActions = {
  onRole: (member: Member, role: 'viewer' | 'editor') => void;
  onRemove: (member: Member) => void;
};

function MemberTable({ members, onRole, onRemove }: { members: Member[] } & MemberActions) {
  return (
    <table>
      <TableHead columns={['User', 'Role', 'Added']} actions />
      <tbody>
        {members.map((m) => (
          <tr key={'user' in m ? `user-${m.user.id}` : `group-${m.group.id}`}>
            <td data-label="User">{nameOf(m)}</td>
            <td data-label="Role">
              <select
                aria-label={`Role of ${nameOf(m)}`}
                value={m.role}
                onChange={(e) => onRole(m, e.currentTarget.value === 'editor' ? 'editor' : 'viewer')}
              >
                <option value="viewer">Viewer</option>
                <option value="editor">Editor</option>
              </select>
            </td>
            <td data-label="Added">{formatDate(m.addedAt)}</td>
            <td>
              <button type="button" class="danger" onClick={() => onRemove(m)}>
                Remove <span class="visually-hidden">{nameOf(m)}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
