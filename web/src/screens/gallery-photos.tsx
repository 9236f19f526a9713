// A gallery's photos: the justified grid of thumbnails (each opens the viewer), with the sort and
// "Select" above it; in select mode, select mode's toolbar and grid (gallery-select.tsx, a chunk
// loaded when first asked for).
import { useRef, useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { ErrorText } from '../components/alert';
import { FilterBar, NoMatch } from '../components/filter-bar';
import { JustifiedGrid, Thumb } from '../components/justified';
import { Later } from '../components/later';
import { narrowed, type Filters, type SetFilters } from '../filters';
import { imageName } from '../helpers';
import { loadSelect } from '../lazy';
import { Link } from '../router';
import type { SelectProps } from './gallery-select';

const selectMode = () => loadSelect().then((m) => m.ready.then(() => m.SelectMode));

export type PhotosProps = Omit<SelectProps, 'onLeave'> & {
  filters: Filters;
  setFilters: SetFilters;
};

/** The grid with its sort and "Select"; in select mode, select mode's toolbar and grid (select.tsx, loaded then). */
export function Photos({ filters, setFilters, ...props }: PhotosProps) {
  const [selecting, setSelecting] = useState(false);
  const selectButton = useRef<HTMLButtonElement>(null);
  const { galleryId, images } = props;
  const grid = <ImageGrid href={(id) => `/galleries/${galleryId}/images/${id}`} {...images} />;
  const leave = () => {
    setSelecting(false);
    // Focus back on the button that started it, once it is there again.
    requestAnimationFrame(() => selectButton.current?.focus());
  };
  const { items } = images;
  return (
    <>
      <ErrorText text={images.error?.message} />
      {!images.loading && !items.length && !images.error && (
        <>
          {narrowed(filters) ? (
            <NoMatch setFilters={setFilters} />
          ) : (
            <p class="muted">No images in this gallery yet.</p>
          )}
        </>
      )}
      {selecting ? (
        <Later load={selectMode} props={{ ...props, onLeave: leave }} fallback={grid} />
      ) : (
        <>
          {(items.length > 0 || narrowed(filters)) && (
            <FilterBar filters={filters} setFilters={setFilters}>
              {items.length > 0 && (
                <button type="button" ref={selectButton} onClick={() => setSelecting(true)}>
                  Select
                </button>
              )}
            </FilterBar>
          )}
          {grid}
        </>
      )}
    </>
  );
}

/** The justified grid of `items`: each tile opens its photo (`href`), a star on those the user starred. */
export function ImageGrid({
  href,
  items,
  hasMore,
}: {
  href: (id: number) => string;
  items: Image[];
  hasMore: boolean;
}) {
  return (
    <JustifiedGrid
      items={items.map((image) => ({ ...image, key: image.id }))}
      complete={!hasMore}
      label="Images"
      render={(image) => (
        <Link href={href(image.id)} class="tile" aria-label={imageName(image)}>
          <Thumb src={image.thumbnail} alt={imageName(image)} hash={image.thumbhash} />
          {image.favorite && (
            <span class="star-badge" aria-hidden="true">
              ★
            </span>
          )}
        </Link>
      )}
    />
  );
}
