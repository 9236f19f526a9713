// A gallery's photos: the justified grid of thumbnails (each opens the viewer), with the sort and
// "Select" above it; in select mode, select mode's toolbar and grid (gallery-select.tsx, a chunk
// loaded when first asked for).
import { useRef, useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { ErrorText } from '../components/alert';
import { JustifiedGrid, Thumb } from '../components/justified';
import { Later } from '../components/later';
import { imageName } from '../helpers';
import { loadSelect } from '../lazy';
import { Link } from '../router';
import type { SelectProps } from './gallery-select';
import { SortControl, type ImageSort } from './gallery-sort';

const selectMode = () => loadSelect().then((m) => m.ready.then(() => m.SelectMode));

export type PhotosProps = Omit<SelectProps, 'onLeave'> & {
  sort: ImageSort;
  setSort: (sort: ImageSort) => void;
  sortable: boolean;
};

/** The grid with its sort and "Select"; in select mode, select mode's toolbar and grid (select.tsx, loaded then). */
export function Photos({ sort, setSort, sortable, ...props }: PhotosProps) {
  const [selecting, setSelecting] = useState(false);
  const selectButton = useRef<HTMLButtonElement>(null);
  const { galleryId, images } = props;
  const grid = <ImageGrid galleryId={galleryId} images={images.items} complete={!images.hasMore} />;
  const leave = () => {
    setSelecting(false);
    // Focus back on the button that started it, once it is there again.
    requestAnimationFrame(() => selectButton.current?.focus());
  };
  const { items } = images;
  return (
    <>
      <ErrorText text={images.error?.message} />
      {!images.loading && !items.length && !images.error && <p class="muted">No images in this gallery yet.</p>}
      {selecting ? (
        <Later load={selectMode} props={{ ...props, onLeave: leave }} fallback={grid} />
      ) : (
        <>
          {items.length > 0 && (
            <div class="filters">
              {sortable && <SortControl sort={sort} onChange={setSort} />}
              <button type="button" ref={selectButton} onClick={() => setSelecting(true)}>
                Select
              </button>
            </div>
          )}
          {grid}
        </>
      )}
    </>
  );
}

function ImageGrid({ galleryId, images, complete }: { galleryId: number; images: Image[]; complete: boolean }) {
  return (
    <JustifiedGrid
      items={images.map((image) => ({ ...image, key: image.id }))}
      complete={complete}
      label="Images"
      render={(image) => (
        <Link href={`/galleries/${galleryId}/images/${image.id}`} class="tile" aria-label={imageName(image)}>
          <Thumb src={image.thumbnail} alt={imageName(image)} hash={image.thumbhash} />
        </Link>
      )}
    />
  );
}
