// A gallery opened through a share link: no account, read only. With a password, files are
// fetched with the X-Share-Password header and shown from blob: URLs (the password never goes in
// a URL).
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type SharePage, type SharedImage } from '../api/client';
import { field } from '../helpers';
import { JustifiedGrid, Thumb } from '../components/justified';
import { ErrorText } from '../components/alert';
import { Viewer } from '../components/viewer';

export function SharedGallery({ shareKey }: { shareKey: string }) {
  const [page, setPage] = useState<SharePage | null>(null);
  const [images, setImages] = useState<SharedImage[]>([]);
  const [password, setPassword] = useState<string | null>(null);
  const [needsPassword, setNeedsPassword] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(-1);
  const [blobs, setBlobs] = useState<Record<string, string>>({});

  const load = async (pw: string | null, cursor?: string) => {
    const { data, error, response } = await api.GET('/api/share/{key}', {
      params: { path: { key: shareKey }, query: { limit: 200, cursor } },
      headers: pw ? { 'X-Share-Password': pw } : {},
    });
    if (response.status === 401) {
      setNeedsPassword(true);
      if (pw) setError('That password is not right.');
      return;
    }
    if (!data) return setError(messageOf(error, 'This link does not work (it may have expired or been revoked).'));
    setNeedsPassword(false);
    setError(null);
    setPage(data);
    setImages((before) => (cursor ? [...before, ...data.images] : data.images));
    document.title = `${data.gallery.name} · Shared gallery`;
  };
  useEffect(() => {
    void load(null);
  }, [shareKey]);

  // With a password, load each file with the header and show it from a blob: URL.
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
  const src = (url: string) => (password ? (blobs[url] ?? 'data:,') : url);

  if (needsPassword) {
    return (
      <section class="narrow">
        <h1>This shared gallery has a password</h1>
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            const pw = field(new FormData(e.currentTarget), 'password');
            setPassword(pw);
            void load(pw);
          }}
        >
          <label>
            Password
            <input name="password" type="password" required autoComplete="off" />
          </label>
          <ErrorText text={error} />
          <button type="submit" class="primary">
            Open
          </button>
        </form>
      </section>
    );
  }
  if (error) {
    return (
      <section>
        <h1>Shared gallery</h1>
        <ErrorText text={error} />
      </section>
    );
  }
  if (!page) return <p class="muted" role="status">Loading…</p>;
  return (
    <section>
      <h1>{page.gallery.name}</h1>
      {page.gallery.description && <p class="muted">{page.gallery.description}</p>}
      <p class="meta">
        {page.gallery.imageCount} images · shared with you{page.expiresAt ? `, until ${new Date(page.expiresAt).toLocaleString()}` : ''}
      </p>
      <JustifiedGrid
        items={images.map((i) => ({ ...i, key: i.id }))}
        label="Images"
        render={(image, _box, index) => (
          <button type="button" class="tile" onClick={() => setOpen(index)} aria-label={image.title || `Image ${image.id}`}>
            <Thumb src={src(image.thumbnail)} alt={image.title || `Image ${image.id}`} hash={image.thumbhash} />
          </button>
        )}
      />
      {page.next && (
        <div class="more">
          <button type="button" onClick={() => void load(password, new URL(page.next!, location.origin).searchParams.get('cursor') ?? undefined)}>
            More images
          </button>
        </div>
      )}
      {open >= 0 && images[open] && (
        <Viewer images={images} index={open} onMove={setOpen} onClose={() => setOpen(-1)} src={(image) => src(image.preview)} />
      )}
    </section>
  );
}
