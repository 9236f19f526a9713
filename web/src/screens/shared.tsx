// A gallery opened through a share link: no account, read only. With a password, files are
// fetched with the X-Share-Password header and shown from blob: URLs (the password never goes in
// a URL).
import { useEffect, useState } from 'preact/hooks';

import { api, type SharedImage, type SharePage } from '../api/client';
import { ErrorText } from '../components/alert';
import { JustifiedGrid, Thumb } from '../components/justified';
import { Viewer } from '../components/viewer';
import { useData } from '../data';
import { field, formatDateTime, imageName } from '../helpers';
import { useTitle } from '../title';

const REFUSED = 'This link does not work (it may have expired or been revoked).';

/** One page of the shared gallery; the password, when there is one, goes in its header. */
function sharePage(key: string, password: string | null, cursor: string | undefined, signal: AbortSignal) {
  return api.GET('/api/share/{key}', {
    params: { path: { key }, query: { limit: 200, cursor } },
    headers: password ? { 'X-Share-Password': password } : {},
    signal,
  });
}

export function SharedGallery({ shareKey }: { shareKey: string }) {
  const [password, setPassword] = useState<string | null>(null);
  // The password is not a reason to forget the page: a new one is tried with `reload`.
  const share = useData((signal) => sharePage(shareKey, password, undefined, signal), [shareKey], {
    errorText: REFUSED,
  });
  const [open, setOpen] = useState(-1);
  const page = share.data;
  useTitle(page?.gallery.name, 'Shared gallery');
  const src = useFileUrls(page?.images ?? [], password);

  if (share.error?.status === 401) {
    const tryPassword = (pw: string) => {
      setPassword(pw);
      share.reload();
    };
    return <PasswordForm wrong={password !== null && !share.loading} onSubmit={tryPassword} />;
  }
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
  const images = page.images;
  const more = (next: string) => {
    const cursor = new URL(next, location.origin).searchParams.get('cursor') ?? undefined;
    share.extend(
      (signal) => sharePage(shareKey, password, cursor, signal),
      (before, after) => ({ ...after, images: [...before.images, ...after.images] }),
    );
  };
  return (
    <section>
      <ShareHeading page={page} />
      <JustifiedGrid
        items={images.map((i) => ({ ...i, key: i.id }))}
        label="Images"
        render={(image, _box, index) => (
          <button type="button" class="tile" onClick={() => setOpen(index)} aria-label={imageName(image)}>
            <Thumb src={src(image.thumbnail)} alt={imageName(image)} hash={image.thumbhash} />
          </button>
        )}
      />
      {page.next && (
        <div class="more">
          <button type="button" onClick={() => more(page.next!)}>
            More images
          </button>
        </div>
      )}
      {open >= 0 && images[open] && (
        <Viewer
          images={images}
          index={open}
          onMove={setOpen}
          onClose={() => setOpen(-1)}
          src={(image) => src(image.preview)}
        />
      )}
    </section>
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

/**
 * The address to show a file of the share at: the file's own URL, or with a password a blob: URL
 * of the file fetched with the password's header ('data:,' until it has arrived).
 */
function useFileUrls(images: SharedImage[], password: string | null): (url: string) => string {
  const [blobs, setBlobs] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!password) return;
    let live = true;
    for (const image of images) {
      for (const url of [image.thumbnail, image.preview]) {
        if (blobs[url]) continue;
        void fetch(url, { headers: { 'X-Share-Password': password } })
          .then((r) => (r.ok ? r.blob() : null))
          .then((blob) => {
            if (live && blob) setBlobs((all) => ({ ...all, [url]: URL.createObjectURL(blob) }));
          });
      }
    }
    return () => {
      live = false;
    };
  }, [images, password]);
  return (url: string) => (password ? (blobs[url] ?? 'data:,') : url);
}
