// The share links of one gallery (its owner and admins): make one, see them, revoke one.
import { useCallback, useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import type { paths } from '../api/schema';
import { ErrorText } from '../components/alert';
import { CopyOnce } from '../components/copy-once';
import { TableHead } from '../components/table-head';
import { field, formatDateTime } from '../helpers';
import { MoreSentinel, usePaged } from '../paging';

type ShareLink = NonNullable<Awaited<ReturnType<typeof linksPage>>['data']>[number];
const linksPage = (id: number, cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/gallery/galleries/{id}/links', { params: { path: { id }, query: { cursor, limit: 50 } }, signal });
type LinkBody = NonNullable<
  paths['/api/gallery/galleries/{id}/links']['post']['requestBody']
>['content']['application/json'];

export function ShareLinks({ galleryId }: { galleryId: number }) {
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
    const form = event.currentTarget as HTMLFormElement;
    const body = linkBody(new FormData(form));
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/links', {
      params: { path: { id: galleryId } },
      body,
    });
    if (!data) return onRefused(messageOf(error, 'Could not create the link.'));
    // Made: the form starts again empty, so that the next link is not the same one by mistake.
    form.reset();
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
      <TableHead columns={['Link', 'State', 'Views', 'Expires']} actions />
      <tbody>
        {links.map((link) => (
          <tr key={link.id}>
            <td data-label="Link">
              <code>{link.prefix}…</code>
              {link.hasPassword && <span class="badge">password</span>}
              {link.allowOriginals && <span class="badge">originals</span>}
            </td>
            <td data-label="State">{link.state}</td>
            <td data-label="Views">
              {link.views}
              {link.maxViews ? ` / ${link.maxViews}` : ''}
            </td>
            <td data-label="Expires">{formatDateTime(link.expiresAt)}</td>
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
