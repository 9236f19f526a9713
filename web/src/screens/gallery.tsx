// One gallery: its images in a justified grid (infinite scroll), upload for those who may write,
// edit and delete for those who manage it, and the viewer over the grid at /galleries/{id}/images/{imageId}.
import { useState } from 'preact/hooks';

import { api, can, messageOf, type Gallery, type Image, type Me } from '../api/client';
import { ErrorText } from '../components/alert';
import { Later } from '../components/later';
import { UploadPanel } from '../components/upload';
import { useData } from '../data';
import { narrowed, useFilteredImages, useFilters } from '../filters';
import { countOf } from '../helpers';
import { loadGalleryForm } from '../lazy';
import { toldTrashed } from '../notice';
import { MoreSentinel } from '../paging';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { useTitle } from '../title';
import { CoverChoice } from './gallery-cover';
import { Photos } from './gallery-photos';
import { placeImage } from './gallery-sort';
import { GalleryViewer } from './gallery-viewer';

const galleryForm = () => loadGalleryForm().then((m) => m.GalleryForm);

type Rights = { canManage: boolean; canUpload: boolean; canChange: boolean };

/** Whether the user may manage the gallery (edit it, its members and share links): its owner or an admin. */
export function mayManage(me: Me | null, gallery: Gallery | undefined): boolean {
  const isOwner = !!me && !!gallery && gallery.owner.id === me.id;
  return can(me, 'gallery:update') && (isOwner || can(me, 'user:manage'));
}

/**
 * What the user may do here: manage (owner, admin), upload and change images (owner, admin, an
 * editor member), each only when the role allows it. Changing an image needs write access to its
 * gallery: having uploaded it is not enough. Membership is asked for only when it decides.
 */
function useRights(me: Me | null, gallery: Gallery | undefined): Rights {
  const isOwner = !!me && !!gallery && gallery.owner.id === me.id;
  const isAdmin = can(me, 'user:manage');
  const askMembers = !!me && !!gallery && !isOwner && !isAdmin && can(me, 'image:create');
  const galleryId = gallery?.id;
  const members = useData(
    (signal) =>
      askMembers && galleryId
        ? api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id: galleryId } }, signal })
        : null,
    [galleryId, askMembers],
  );
  // An editor in person, or through a group they are in.
  const isEditor =
    !!me && !!members.data?.some((m) => m.role === 'editor' && ('user' in m ? m.user.id === me.id : m.includesYou));
  const writer = isOwner || isAdmin || isEditor;
  return {
    canManage: mayManage(me, gallery),
    canUpload: can(me, 'image:create') && writer,
    canChange: can(me, 'image:update') && writer,
  };
}

export function GalleryScreen({ galleryId, imageId }: { galleryId: number; imageId: number | null }) {
  const { me } = useSession();
  const gallery = useData(
    (signal) => api.GET('/api/gallery/galleries/{id}', { params: { path: { id: galleryId } }, signal }),
    [galleryId],
    { errorText: 'This gallery could not be loaded.' },
  );
  const rights = useRights(me, gallery.data);
  useTitle(gallery.data?.name);
  const { filters, setFilters, images } = useGalleryImages(galleryId);
  const setGallery = gallery.setData;
  const addToCount = (change: number) => setGallery((g) => g && { ...g, imageCount: g.imageCount + change });

  if (gallery.error) return <Unavailable text={gallery.error.message} />;
  if (!gallery.data)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  const reload = () => {
    images.reload();
    gallery.reload();
  };

  return (
    <section>
      <p class="crumbs">
        <Link href="/">Galleries</Link> /
      </p>
      <GalleryHeader gallery={gallery.data} canManage={rights.canManage} onSaved={(saved) => setGallery(() => saved)} />
      {rights.canUpload && (
        <UploadPanel
          galleryId={galleryId}
          onUploaded={(image, counted) => {
            // Filtered: it shows once it matches, on a reload.
            if (!narrowed(filters))
              images.setItems((before) => placeImage(before, image, filters.sort, !images.hasMore));
            // Maybe counted already: the server says (what is shown stays until it answers).
            if (counted) gallery.reload();
            else addToCount(1);
          }}
        />
      )}
      <Photos
        key={galleryId}
        {...{ galleryId, images, filters, setFilters }}
        canChange={rights.canChange}
        onRemoved={(count) => addToCount(-count)}
        onReload={reload}
      />
      <MoreSentinel
        hasMore={images.hasMore}
        loading={images.loading}
        onVisible={images.more}
        label="Loading more images"
      />
      <GalleryViewer
        images={images}
        imageId={imageId}
        galleryId={galleryId}
        home={`/galleries/${galleryId}`}
        canChange={rights.canChange}
        addToCount={addToCount}
        onRestored={reload}
        actions={rights.canManage ? coverChoice(gallery.data, (saved) => setGallery(() => saved)) : undefined}
      />
    </section>
  );
}

/** The gallery's photos that the filters in the address let through, in their order. */
function useGalleryImages(galleryId: number) {
  const [filters, setFilters] = useFilters(`/galleries/${galleryId}`);
  return { filters, setFilters, images: useFilteredImages(filters, galleryId) };
}

/** "Use as cover" under the viewer's facts, for those who manage the gallery. */
const coverChoice = (gallery: Gallery, onSaved: (gallery: Gallery) => void) => (image: Image) => (
  <CoverChoice key={image.id} gallery={gallery} imageId={image.id} onSaved={onSaved} />
);

function Unavailable({ text }: { text: string }) {
  return (
    <section>
      <h1>Gallery not available</h1>
      <ErrorText text={text} />
      <Link href="/">Back to the galleries</Link>
    </section>
  );
}

/** The gallery's name, description and counts; for those who manage it, edit, settings and delete. */
function GalleryHeader({
  gallery,
  canManage,
  onSaved,
}: {
  gallery: Gallery;
  canManage: boolean;
  onSaved: (gallery: Gallery) => void;
}) {
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <Later
        load={galleryForm}
        props={{
          gallery,
          onDone: (saved: Gallery | null) => {
            if (saved) onSaved(saved);
            setEditing(false);
          },
        }}
      />
    );
  }
  return (
    <div class="bar">
      <div>
        <h1>{gallery.name}</h1>
        {gallery.description && <p class="muted">{gallery.description}</p>}
        <p class="meta">
          {countOf(gallery.imageCount, 'image')} · by {gallery.owner.username}
          <span class="badge">{gallery.visibility}</span>
        </p>
      </div>
      {canManage && <ManageButtons gallery={gallery} onEdit={() => setEditing(true)} />}
    </div>
  );
}

function ManageButtons({ gallery, onEdit }: { gallery: Gallery; onEdit: () => void }) {
  const remove = async () => {
    if (!confirm(`Delete the gallery "${gallery.name}" and all its images?`)) return;
    const { data, error } = await api.DELETE('/api/gallery/galleries/{id}', { params: { path: { id: gallery.id } } });
    if (error) return alert(messageOf(error));
    navigate('/');
    toldTrashed(data, `The gallery "${gallery.name}"`, { galleries: [gallery.id] }, () =>
      navigate(`/galleries/${gallery.id}`),
    );
  };
  return (
    <div class="row">
      <button type="button" onClick={onEdit}>
        Edit gallery
      </button>
      <Link href={`/galleries/${gallery.id}/settings`} class="button">
        Members and links
      </Link>
      <button type="button" class="danger" onClick={() => void remove()}>
        Delete gallery
      </button>
    </div>
  );
}
