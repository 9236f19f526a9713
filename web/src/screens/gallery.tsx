import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, can, messageOf, type Gallery, type Image } from '../api/client';
import { field } from '../helpers';
import { JustifiedGrid, Thumb } from '../components/justified';
import { MoreSentinel, usePaged } from '../paging';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { ErrorText } from '../components/alert';
import { UploadPanel } from '../components/upload';
import { Viewer } from '../components/viewer';

const PAGE = 60;

export function GalleryScreen({ galleryId, imageId }: { galleryId: number; imageId: number | null }) {
  const { me } = useSession();
  const [gallery, setGallery] = useState<Gallery | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [isEditor, setIsEditor] = useState(false);

  useEffect(() => {
    let live = true;
    void api.GET('/api/gallery/galleries/{id}', { params: { path: { id: galleryId } } }).then(({ data, error }) => {
      if (!live) return;
      if (data) setGallery(data);
      else setMissing(messageOf(error, 'This gallery could not be loaded.'));
    });
    return () => {
      live = false;
    };
  }, [galleryId]);

  const isOwner = !!me && !!gallery && gallery.owner.id === me.id;
  const isAdmin = can(me, 'user:manage');
  useEffect(() => {
    if (!me || !gallery || isOwner || isAdmin || !can(me, 'image:create')) return;
    void api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id: galleryId } } }).then(({ data }) => {
      setIsEditor(!!data?.some((m) => m.user.id === me.id && m.role === 'editor'));
    });
  }, [me, gallery, isOwner, isAdmin, galleryId]);
  useEffect(() => {
    if (gallery) document.title = `${gallery.name} · Gallery`;
  }, [gallery]);

  const page = useCallback(
    (cursor: string | undefined) => api.GET('/api/gallery/view-images', { params: { query: { gallery: galleryId, limit: PAGE, cursor } } }),
    [galleryId],
  );
  const { items, setItems, loading, error, hasMore, more } = usePaged<Image>(page, [page]);

  const canManage = can(me, 'gallery:update') && (isOwner || isAdmin);
  const canUpload = can(me, 'image:create') && (isOwner || isAdmin || isEditor);
  // Changing an image needs write access to its gallery now: having uploaded it is not enough.
  const canChange = (_image: Image) => can(me, 'image:update') && (isAdmin || isOwner || isEditor);

  if (missing) {
    return (
      <section>
        <h1>Gallery not available</h1>
        <ErrorText text={missing} />
        <Link href="/">Back to the galleries</Link>
      </section>
    );
  }
  if (!gallery) return <p class="muted" role="status">Loading…</p>;

  const open = imageId === null ? -1 : items.findIndex((i) => i.id === imageId);
  const grid = items.map((image) => ({ ...image, key: image.id }));

  const remove = async () => {
    if (!confirm(`Delete the gallery "${gallery.name}" and all its images?`)) return;
    const { error } = await api.DELETE('/api/gallery/galleries/{id}', { params: { path: { id: gallery.id } } });
    if (error) return alert(messageOf(error));
    navigate('/');
  };

  return (
    <section>
      <p class="crumbs">
        <Link href="/">Galleries</Link> /
      </p>
      {editing ? (
        <GalleryForm gallery={gallery} onDone={(g) => { if (g) setGallery(g); setEditing(false); }} />
      ) : (
        <div class="bar">
          <div>
            <h1>{gallery.name}</h1>
            {gallery.description && <p class="muted">{gallery.description}</p>}
            <p class="meta">
              {gallery.imageCount} {gallery.imageCount === 1 ? 'image' : 'images'} · by {gallery.owner.username}
              {gallery.visibility === 'private' && <span class="badge">private</span>}
            </p>
          </div>
          {canManage && (
            <div class="row">
              <button type="button" onClick={() => setEditing(true)}>
                Edit gallery
              </button>
              <Link href={`/galleries/${gallery.id}/settings`} class="button">
                Members and links
              </Link>
              <button type="button" class="danger" onClick={() => void remove()}>
                Delete gallery
              </button>
            </div>
          )}
        </div>
      )}
      {canUpload && (
        <UploadPanel
          galleryId={gallery.id}
          onUploaded={(image) => {
            setItems((before) => (before.some((i) => i.id === image.id) ? before : [image, ...before]));
            setGallery((g) => g && { ...g, imageCount: g.imageCount + 1 });
          }}
        />
      )}
      <ErrorText text={error} />
      {!loading && items.length === 0 && !error && <p class="muted">No images in this gallery yet.</p>}
      <JustifiedGrid
        items={grid}
        complete={!hasMore}
        label="Images"
        render={(image) => (
          <Link href={`/galleries/${gallery.id}/images/${image.id}`} class="tile" aria-label={image.title || `Image ${image.id}`}>
            <Thumb src={image.thumbnail} alt={image.title || `Image ${image.id}`} hash={image.thumbhash} />
          </Link>
        )}
      />
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more images" />
      {open >= 0 && (
        <Viewer
          images={items}
          index={open}
          canChange={canChange(items[open])}
          onMove={(to) => navigate(`/galleries/${gallery.id}/images/${items[to].id}`, { replace: true })}
          onClose={() => navigate(`/galleries/${gallery.id}`)}
          onChanged={(image) => setItems((before) => before.map((i) => (i.id === image.id ? image : i)))}
          onDeleted={(id) => {
            setItems((before) => before.filter((i) => i.id !== id));
            setGallery((g) => g && { ...g, imageCount: g.imageCount - 1 });
            navigate(`/galleries/${gallery.id}`);
          }}
          nearEnd={() => hasMore && more()}
        />
      )}
    </section>
  );
}

function GalleryForm({ gallery, onDone }: { gallery: Gallery; onDone: (g: Gallery | null) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.PATCH('/api/gallery/galleries/{id}', {
      params: { path: { id: gallery.id } },
      body: { name: field(form, 'name'), description: field(form, 'description'), visibility: form.get('private') ? 'private' : 'shared' },
    });
    if (!data) return setError(messageOf(error, 'Could not save.'));
    onDone(data);
  };
  return (
    <form class="panel stack" onSubmit={(e) => void submit(e)} aria-label="Edit gallery">
      <label>
        Name
        <input name="name" required defaultValue={gallery.name} autoFocus />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} defaultValue={gallery.description} />
      </label>
      <label class="check">
        <input type="checkbox" name="private" defaultChecked={gallery.visibility === 'private'} /> Private
      </label>
      <ErrorText text={error} />
      <div class="row">
        <button type="submit" class="primary">
          Save
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
