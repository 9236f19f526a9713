// A gallery opened through a share link: no account, read only; each photo has its own address in
// the viewer, /share/{key}/images/{imageId} (a link to one beyond the first page loads the pages up
// to it; one not in the gallery is said so). A password link asks for its password once: the right
// one earns a grant cookie from the server (HttpOnly, for this link's requests, for the browser's
// session), so the files load as plain images, lazily, and a reload asks nothing. The password is
// sent with that one request and kept nowhere.
import { useEffect, useRef, useState } from 'preact/hooks';

import { api, type SharePage } from '../api/client';
import { ErrorText } from '../components/alert';
import { JustifiedGrid, Thumb } from '../components/justified';
import { Viewer } from '../components/viewer';
import { useData } from '../data';
import { field, formatDateTime, imageName } from '../helpers';
import { leave, Link, navigate } from '../router';
import { useTitle } from '../title';

const REFUSED = 'This link does not work (it may have expired or been revoked).';

/** One page of the shared gallery (each is a view of the link: 200 images at a time). */
function sharePage(key: string, password: string | undefined, cursor: string | undefined, signal: AbortSignal) {
  return api.GET('/api/share/{key}', {
    params: { path: { key }, query: { limit: 200, cursor } },
    headers: password ? { 'X-Share-Password': password } : {},
    signal,
  });
}

/**
 * The share's pages, loaded once per key: the first, then more when asked for, and by themselves
 * while the photo of the address (`imageId`) is not among them yet. `unlock` sends a typed password
 * with a new first request.
 */
function useSharePages(shareKey: string, imageId: number | null) {
  // The password just typed: it goes with the next request of the page only.
  const typed = useRef<string | undefined>(undefined);
  const [tried, setTried] = useState(false);
  const share = useData(
    (signal) => {
      const password = typed.current;
      typed.current = undefined;
      return sharePage(shareKey, password, undefined, signal);
    },
    [shareKey],
    { errorText: REFUSED },
  );
  const page = share.data;
  const images = page?.images ?? [];
  const open = imageId === null ? -1 : images.findIndex((image) => image.id === imageId);
  const more = () => {
    const cursor = page?.next;
    if (!cursor) return;
    share.extend(
      (signal) => sharePage(shareKey, undefined, cursor, signal),
      (before, after) => ({ ...after, images: [...before.images, ...after.images] }),
    );
  };
  const seeking = imageId !== null && open < 0 && !!page?.next && !share.error;
  useEffect(() => {
    if (seeking && !share.loading) more();
  }, [seeking, share.loading, images.length]);
  const unlock = (password: string) => {
    typed.current = password;
    setTried(true);
    share.reload();
  };
  return { share, page, images, open, more, unlock, wrong: tried && !share.loading };
}

export function SharedGallery({ shareKey, imageId = null }: { shareKey: string; imageId?: number | null }) {
  const { share, page, images, open, more, unlock, wrong } = useSharePages(shareKey, imageId);
  useTitle(page?.gallery.name, 'Shared gallery');

  if (share.error?.status === 401) return <PasswordForm wrong={wrong} onSubmit={unlock} />;
  if (share.error) {
    return (
      <section>
        <h1>Shared gallery</h1>
        <ErrorText text={share.error.message} />
      </section>
    );
  }
  if (!page)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  const home = `/share/${encodeURIComponent(shareKey)}`;
  const missing = imageId !== null && open < 0 && !page.next && !share.loading;
  return (
    <section>
      <ShareHeading page={page} />
      {missing && <Missing home={home} />}
      <JustifiedGrid
        items={images.map((i) => ({ ...i, key: i.id }))}
        label="Images"
        render={(image) => (
          <Link href={`${home}/images/${image.id}`} class="tile" aria-label={imageName(image)}>
            <Thumb src={image.thumbnail} alt={imageName(image)} hash={image.thumbhash} />
          </Link>
        )}
      />
      {page.next && (
        <div class="more">
          <button type="button" onClick={more}>
            More images
          </button>
        </div>
      )}
      {open >= 0 && (
        <Viewer
          images={images}
          index={open}
          onMove={(to) => navigate(`${home}/images/${images[to].id}`, { replace: true })}
          onClose={() => leave(home)}
          nearEnd={more}
        />
      )}
    </section>
  );
}

function Missing({ home }: { home: string }) {
  return (
    <div class="panel stack" aria-labelledby="missing-photo">
      <h2 id="missing-photo">Photo not found</h2>
      <ErrorText text="This photo is not in this shared gallery (it may have been deleted)." />
      <Link href={home}>Back to the shared gallery</Link>
    </div>
  );
}

function ShareHeading({ page }: { page: SharePage }) {
  return (
    <>
      <h1>{page.gallery.name}</h1>
      {page.gallery.description && <p class="muted">{page.gallery.description}</p>}
      <p class="meta">
        {page.gallery.imageCount} images · shared with you
        {page.expiresAt ? `, until ${formatDateTime(page.expiresAt)}` : ''}
      </p>
    </>
  );
}

/** `wrong`: a password was tried and refused. */
function PasswordForm({ wrong, onSubmit }: { wrong: boolean; onSubmit: (password: string) => void }) {
  return (
    <section class="narrow">
      <h1>This shared gallery has a password</h1>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(field(new FormData(e.currentTarget), 'password'));
        }}
      >
        <label>
          Password
          <input name="password" type="password" required autoComplete="off" />
        </label>
        <ErrorText text={wrong ? 'That password is not right.' : null} />
        <button type="submit" class="primary">
          Open
        </button>
      </form>
    </section>
  );
}
