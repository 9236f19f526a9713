// Members and share links of one gallery (its owner and admins).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, messageOf, type Gallery } from '../api/client';
import { field } from '../helpers';
import type { paths } from '../api/schema';
import { MoreSentinel, usePaged } from '../paging';
import { Link } from '../router';
import { ErrorText } from '../components/alert';
import { CopyOnce } from '../components/copy-once';

type Member = NonNullable<Awaited<ReturnType<typeof listMembers>>['data']>[number];
const listMembers = (id: number) => api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id } } });
type LinkBody = NonNullable<paths['/api/gallery/galleries/{id}/links']['post']['requestBody']>['content']['application/json'];

export function GallerySettings({ galleryId }: { galleryId: number }) {
  const [gallery, setGallery] = useState<Gallery | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void api.GET('/api/gallery/galleries/{id}', { params: { path: { id: galleryId } } }).then(({ data, error }) => {
      if (data) {
        setGallery(data);
        document.title = `Members and links: ${data.name} · Gallery`;
      } else setError(messageOf(error));
    });
  }, [galleryId]);
  if (error) return <ErrorText text={error} />;
  if (!gallery) return <p class="muted" role="status">Loading…</p>;
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
  const [members, setMembers] = useState<Member[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const reload = useCallback(() => void listMembers(galleryId).then(({ data }) => setMembers(data ?? [])), [galleryId]);
  useEffect(reload, [reload]);

  const add = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/members', {
      params: { path: { id: galleryId } },
      body: { username: field(form, 'username'), role: form.get('role') === 'editor' ? 'editor' : 'viewer' },
    });
    if (!data) return setMessage({ text: messageOf(error, 'Could not add the member.'), error: true });
    formElement.reset();
    setMessage({ text: data.note ?? `${data.user.username} added.`, error: false });
    reload();
  };
  const setRole = async (member: Member, role: 'viewer' | 'editor') => {
    const { error } = await api.PATCH('/api/gallery/galleries/{id}/members/{userId}', { params: { path: { id: galleryId, userId: member.user.id } }, body: { role } });
    setMessage(error ? { text: messageOf(error), error: true } : { text: `${member.user.username} is now ${role}.`, error: false });
    reload();
  };
  const remove = async (member: Member) => {
    const { error } = await api.DELETE('/api/gallery/galleries/{id}/members/{userId}', { params: { path: { id: galleryId, userId: member.user.id } } });
    setMessage(error ? { text: messageOf(error), error: true } : { text: `${member.user.username} removed.`, error: false });
    reload();
  };

  return (
    <section aria-labelledby="members-title" class="panel">
      <h2 id="members-title">Members</h2>
      {members.length === 0 ? (
        <p class="muted">No members: only you and admins see a private gallery.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Added</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.user.id}>
                <td>{m.user.username}</td>
                <td>
                  <select aria-label={`Role of ${m.user.username}`} value={m.role} onChange={(e) => void setRole(m, e.currentTarget.value === 'editor' ? 'editor' : 'viewer')}>
                    <option value="viewer">Viewer</option>
                    <option value="editor">Editor</option>
                  </select>
                </td>
                <td>{new Date(m.addedAt).toLocaleDateString()}</td>
                <td>
                  <button type="button" class="danger" onClick={() => void remove(m)}>
                    Remove <span class="visually-hidden">{m.user.username}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
      {message && (
        <p class={message.error ? 'error' : 'ok'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

function ShareLinks({ galleryId }: { galleryId: number }) {
  const [fresh, setFresh] = useState<{ url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const page = useCallback(
    (cursor: string | undefined) => api.GET('/api/gallery/galleries/{id}/links', { params: { path: { id: galleryId }, query: { cursor, limit: 50 } } }),
    // version: reload after a change
    [galleryId, version],
  );
  const { items, loading, hasMore, more } = usePaged(page, [page]);

  const create = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body: LinkBody = { allowOriginals: form.get('allowOriginals') === 'on' };
    const days = Number(form.get('days'));
    if (days > 0) body.expiresAt = new Date(Date.now() + days * 864e5).toISOString();
    const views = Number(form.get('maxViews'));
    if (views > 0) body.maxViews = views;
    const password = field(form, 'password');
    if (password) body.password = password;
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/links', { params: { path: { id: galleryId } }, body });
    if (!data) return setError(messageOf(error, 'Could not create the link.'));
    setError(null);
    setFresh({ url: `${location.origin}/share/${data.key}` });
    setVersion((v) => v + 1);
  };
  const revoke = async (linkId: number) => {
    const { error } = await api.DELETE('/api/gallery/galleries/{id}/links/{linkId}', { params: { path: { id: galleryId, linkId } } });
    if (error) setError(messageOf(error));
    setVersion((v) => v + 1);
  };

  return (
    <section aria-labelledby="links-title" class="panel">
      <h2 id="links-title">Share links</h2>
      <p class="muted">Anyone with a link sees this gallery without an account, read only.</p>
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
      {fresh && <CopyOnce label="The new link (shown this once)" value={fresh.url} />}
      <ErrorText text={error} />
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">State</th>
              <th scope="col">Views</th>
              <th scope="col">Expires</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((link) => (
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
                <td>{link.expiresAt ? new Date(link.expiresAt).toLocaleString() : 'never'}</td>
                <td>
                  {link.state === 'active' && (
                    <button type="button" class="danger" onClick={() => void revoke(link.id)}>
                      Revoke <span class="visually-hidden">{link.prefix}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more links" />
    </section>
  );
}
