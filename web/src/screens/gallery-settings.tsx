// Members and share links of one gallery (its owner and admins).
import { useCallback, useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import type { paths } from '../api/schema';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { CopyOnce } from '../components/copy-once';
import { useData } from '../data';
import { field, formatDate, formatDateTime } from '../helpers';
import { MoreSentinel, usePaged } from '../paging';
import { Link } from '../router';
import { useTitle } from '../title';

type Member = NonNullable<Awaited<ReturnType<typeof listMembers>>['data']>[number];
const listMembers = (id: number, signal?: AbortSignal) =>
  api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id } }, signal });
type ShareLink = NonNullable<Awaited<ReturnType<typeof linksPage>>['data']>[number];
const linksPage = (id: number, cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/gallery/galleries/{id}/links', { params: { path: { id }, query: { cursor, limit: 50 } }, signal });
type LinkBody = NonNullable<
  paths['/api/gallery/galleries/{id}/links']['post']['requestBody']
>['content']['application/json'];

export function GallerySettings({ galleryId }: { galleryId: number }) {
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
  return (
    <section>
      <p class="crumbs">
        <Link href="/">Galleries</Link> / <Link href={`/galleries/${gallery.id}`}>{gallery.name}</Link> /
      </p>
      <h1>Members and share links</h1>
      <Members galleryId={galleryId} />
      <ShareLinks galleryId={galleryId} />
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
    const { error } = await api.PATCH('/api/gallery/galleries/{id}/members/{userId}', {
      params: { path: { id: galleryId, userId: member.user.id } },
      body: { role },
    });
    report(error, `${member.user.username} is now ${role}.`);
  };
  const remove = async (member: Member) => {
    const { error } = await api.DELETE('/api/gallery/galleries/{id}/members/{userId}', {
      params: { path: { id: galleryId, userId: member.user.id } },
    });
    report(error, `${member.user.username} removed.`);
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
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Role</th>
          <th scope="col">Added</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.user.id}>
            <td>{m.user.username}</td>
            <td>
              <select
                aria-label={`Role of ${m.user.username}`}
                value={m.role}
                onChange={(e) => onRole(m, e.currentTarget.value === 'editor' ? 'editor' : 'viewer')}
              >
                <option value="viewer">Viewer</option>
                <option value="editor">Editor</option>
              </select>
            </td>
            <td>{formatDate(m.addedAt)}</td>
            <td>
              <button type="button" class="danger" onClick={() => onRemove(m)}>
                Remove <span class="visually-hidden">{m.user.username}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddMember({
  galleryId,
  onAdded,
  onRefused,
}: {
  galleryId: number;
  onAdded: (text: string) => void;
  onRefused: (text: string) => void;
}) {
  const add = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/members', {
      params: { path: { id: galleryId } },
      body: { username: field(form, 'username'), role: form.get('role') === 'editor' ? 'editor' : 'viewer' },
    });
    if (!data) return onRefused(messageOf(error, 'Could not add the member.'));
    formElement.reset();
    onAdded(data.note ?? `${data.user.username} added.`);
  };
  return (
    <form class="row wrap" onSubmit={(e) => void add(e)} aria-label="Add a member">
      <label>
        Username
        <input name="username" required />
      </label>
      <label>
        As
        <select name="role">
          <option value="viewer">Viewer</option>
          <option value="editor">Editor</option>
        </select>
      </label>
      <button type="submit" class="primary">
        Add member
      </button>
    </form>
  );
}

function ShareLinks({ galleryId }: { galleryId: number }) {
  const [fresh, setFresh] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const page = useCallback(
    (cursor: string | undefined, signal: AbortSignal) => linksPage(galleryId, cursor, signal),
    [galleryId],
  );
  const { items, loading, hasMore, more, reload } = usePaged(page, [page]);
  const revoke = async (linkId: number) => {
    const { error } = await api.DELETE('/api/gallery/galleries/{id}/links/{linkId}', {
      params: { path: { id: galleryId, linkId } },
    });
    if (error) setError(messageOf(error));
    reload();
  };
  const created = (key: string) => {
    setError(null);
    setFresh(`${location.origin}/share/${key}`);
    reload();
  };

  return (
    <section aria-labelledby="links-title" class="panel">
      <h2 id="links-title">Share links</h2>
      <p class="muted">Anyone with a link sees this gallery without an account, read only.</p>
      <NewLink galleryId={galleryId} onCreated={created} onRefused={setError} />
      {fresh && <CopyOnce label="The new link (shown this once)" value={fresh} />}
      <ErrorText text={error} />
      {items.length > 0 && <LinkTable links={items} onRevoke={(id) => void revoke(id)} />}
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more links" />
    </section>
  );
}

/** The link's settings as the API takes them: empty fields are left out. */
function linkBody(form: FormData): LinkBody {
  const body: LinkBody = { allowOriginals: form.get('allowOriginals') === 'on' };
  const days = Number(form.get('days'));
  if (days > 0) body.expiresAt = new Date(Date.now() + days * 864e5).toISOString();
  const views = Number(form.get('maxViews'));
  if (views > 0) body.maxViews = views;
  const password = field(form, 'password');
  if (password) body.password = password;
  return body;
}

function NewLink({
  galleryId,
  onCreated,
  onRefused,
}: {
  galleryId: number;
  onCreated: (key: string) => void;
  onRefused: (text: string) => void;
}) {
  const create = async (event: Event) => {
    event.preventDefault();
    const body = linkBody(new FormData(event.currentTarget as HTMLFormElement));
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/links', {
      params: { path: { id: galleryId } },
      body,
    });
    if (!data) return onRefused(messageOf(error, 'Could not create the link.'));
    onCreated(data.key);
  };
  return (
    <form class="row wrap" onSubmit={(e) => void create(e)} aria-label="New share link">
      <label>
        Expires after (days, empty: never)
        <input name="days" type="number" min={1} max={3650} />
      </label>
      <label>
        Max views
        <input name="maxViews" type="number" min={1} />
      </label>
      <label>
        Password (optional)
        <input name="password" type="password" minLength={8} autoComplete="new-password" />
      </label>
      <label class="check">
        <input type="checkbox" name="allowOriginals" /> Allow originals
      </label>
      <button type="submit" class="primary">
        Create link
      </button>
    </form>
  );
}

function LinkTable({ links, onRevoke }: { links: ShareLink[]; onRevoke: (id: number) => void }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Link</th>
          <th scope="col">State</th>
          <th scope="col">Views</th>
          <th scope="col">Expires</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {links.map((link) => (
          <tr key={link.id}>
            <td>
              <code>{link.prefix}…</code>
              {link.hasPassword && <span class="badge">password</span>}
              {link.allowOriginals && <span class="badge">originals</span>}
            </td>
            <td>{link.state}</td>
            <td>
              {link.views}
              {link.maxViews ? ` / ${link.maxViews}` : ''}
            </td>
            <td>{formatDateTime(link.expiresAt)}</td>
            <td>
              {link.state === 'active' && (
                <button type="button" class="danger" onClick={() => onRevoke(link.id)}>
                  Revoke <span class="visually-hidden">{link.prefix}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
