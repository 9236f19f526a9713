// Search (/search, a chunk loaded when first opened): the photos of every gallery the user may see,
// found by words (title, description, tags) and narrowed by the filter bar, all kept in the
// address; each opens in the viewer over the results (/search/images/{id}).
import { ErrorText } from '../components/alert';
import { FilterBar, NoMatch } from '../components/filter-bar';
import sheet from '../components/find.css?url';
import { narrowed, useFilteredImages, useFilters } from '../filters';
import { MoreSentinel } from '../paging';
import { stylesheet } from '../stylesheet';
import { useTitle } from '../title';
import { ImageGrid } from './gallery-photos';
import { GalleryViewer } from './gallery-viewer';

/** Wait for it before showing the screen. */
export const ready = stylesheet(sheet);

export function Search({ imageId }: { imageId: number | null }) {
  useTitle('Search');
  const [filters, setFilters] = useFilters('/search');
  const images = useFilteredImages(filters);
  const empty = !images.loading && !images.items.length && !images.error;
  return (
    <section>
      <h1>Search</h1>
      <FilterBar filters={filters} setFilters={setFilters} />
      <ErrorText text={images.error?.message} />
      {empty && (narrowed(filters) ? <NoMatch setFilters={setFilters} /> : <p class="muted">No photos yet.</p>)}
      <ImageGrid href={(id) => `/search/images/${id}`} {...images} />
      <MoreSentinel
        hasMore={images.hasMore}
        loading={images.loading}
        onVisible={images.more}
        label="Loading more photos"
      />
      <GalleryViewer
        images={images}
        imageId={imageId}
        home="/search"
        canChange={false}
        addToCount={() => {}}
        onRestored={images.reload}
      />
    </section>
  );
}
