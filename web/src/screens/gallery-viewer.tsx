// The viewer over a gallery's grid. A link may name a photo that is not in the pages loaded yet
// (beyond the first page): that photo is asked for by its id and shown alone; a photo that does not
// exist (or belongs to another gallery) gets a clear message and a way back to the gallery.
import type { ComponentChildren } from 'preact';

import { api, type Image } from '../api/client';
import { ErrorText } from '../components/alert';
import { Viewer } from '../components/viewer';
import { useData } from '../data';
import { imageName } from '../helpers';
import { toldTrashed } from '../notice';
import type { usePaged } from '../paging';
import { leave, Link, navigate } from '../router';

type PagedImages = ReturnType<typeof usePaged<Image>>;

type Props = {
  images: PagedImages;
  imageId: number | null;
  /** The list's address (the viewer's are under it); a photo of another gallery is not found there. */
  home: string;
  galleryId?: number;
  canChange: boolean;
  addToCount: (change: number) => void;
  /** A photo deleted came back from the trash (Undo): the grid and the count are loaded again. */
  onRestored: () => void;
  /** More for the image shown, in the viewer's panel. */
  actions?: (image: Image) => ComponentChildren;
};

/** The viewer for `imageId` (none when it is null), from the loaded pages or else asked for alone. */
export function GalleryViewer(props: Props) {
  const { images, imageId, galleryId, home } = props;
  const open = imageId === null ? -1 : images.items.findIndex((i) => i.id === imageId);
  // Asked for alone once the first page has answered without it (and kept while more pages load).
  const answered = images.items.length > 0 || !images.loading;
  const alone = imageId !== null && open < 0 && answered ? imageId : null;
  const single = useData(
    (signal) =>
      alone === null ? null : api.GET('/api/gallery/view-images/{id}', { params: { path: { id: alone } }, signal }),
    [alone],
    { errorText: 'This photo could not be loaded.' },
  );
  if (open >= 0) return <PagedViewer {...props} open={open} />;
  if (alone === null) return null;
  const image = single.data;
  const missing = single.error?.status === 404 || (image && galleryId !== undefined && image.gallery !== galleryId);
  if (missing) return <Missing home={home} text="This photo does not exist, or it is no longer in this gallery." />;
  if (single.error) return <Missing home={home} text={single.error.message} />;
  if (!image) return null;
  return (
    <Viewer
      images={[image]}
      index={0}
      canChange={props.canChange}
      actions={props.actions}
      onMove={() => {}}
      onClose={() => leave(home)}
      onChanged={(changed) => single.setData(() => changed)}
      onDeleted={(id, reply) => {
        props.addToCount(-1);
        leave(home);
        toldTrashed(reply, `"${imageName(image)}"`, { images: [id] }, props.onRestored);
      }}
    />
  );
}

/** The viewer over the loaded pages: moving and closing change the address; changes and deletes update the grid. */
function PagedViewer(props: Props & { open: number }) {
  const { images, open, home, canChange, addToCount, actions } = props;
  const { items, setItems } = images;
  return (
    <Viewer
      images={items}
      index={open}
      canChange={canChange}
      actions={actions}
      onMove={(to) => navigate(`${home}/images/${items[to].id}`, { replace: true })}
      onClose={() => leave(home)}
      onChanged={(image) => setItems((before) => before.map((i) => (i.id === image.id ? image : i)))}
      onDeleted={(id, reply) => {
        const name = imageName(items[open]);
        setItems((before) => before.filter((i) => i.id !== id));
        addToCount(-1);
        leave(home);
        toldTrashed(reply, `"${name}"`, { images: [id] }, props.onRestored);
      }}
      nearEnd={() => images.hasMore && images.more()}
    />
  );
}

function Missing({ home, text }: { home: string; text: string }) {
  return (
    <div class="panel stack" aria-labelledby="missing-photo">
      <h2 id="missing-photo">Photo not found</h2>
      <ErrorText text={text} />
      <Link href={home}>Back to the gallery</Link>
    </div>
  );
}
