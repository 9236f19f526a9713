// The order of a gallery's images: the control, the address that keeps it (`?sort=…`, so that a
// reload, a shared link and Back show the same order) and where a new upload goes in that order.
import { useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { navigate } from '../router';

export type ImageSort = '-created' | 'created' | 'title' | '-title';

const SORTS: { value: ImageSort; label: string }[] = [
  { value: '-created', label: 'Newest added' },
  { value: 'created', label: 'Oldest added' },
  { value: 'title', label: 'Title A–Z' },
  { value: '-title', label: 'Title Z–A' },
];
const DEFAULT: ImageSort = '-created';

function sortOf(search: string): ImageSort {
  const asked = new URLSearchParams(search).get('sort');
  return SORTS.find((s) => s.value === asked)?.value ?? DEFAULT;
}

/**
 * The sort of the gallery's grid: read from the address when the screen opens, and written back to
 * it (replacing the entry: Back leaves the gallery, it does not undo a sort). The screen keeps it
 * while the viewer is open over the grid, whose own address has none.
 */
export function useImageSort(galleryId: number): [ImageSort, (sort: ImageSort) => void] {
  const [sort, setSort] = useState<ImageSort>(() => sortOf(location.search));
  const change = (next: ImageSort) => {
    setSort(next);
    const search = new URLSearchParams(location.search);
    if (next === DEFAULT) search.delete('sort');
    else search.set('sort', next);
    const text = search.toString();
    navigate(`/galleries/${galleryId}${text ? `?${text}` : ''}`, { replace: true });
  };
  return [sort, change];
}

export function SortControl({ sort, onChange }: { sort: ImageSort; onChange: (sort: ImageSort) => void }) {
  return (
    <label>
      Sort
      <select value={sort} onChange={(e) => onChange(e.currentTarget.value as ImageSort)}>
        {SORTS.map((s) => (
          <option value={s.value} key={s.value}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** -1, 0 or 1: where `a` goes against `b` in the server's order (its sort key, then the id). */
function compare(a: Image, b: Image, sort: ImageSort): number {
  const key = (image: Image) => (sort.endsWith('created') ? image.createdAt : image.title.toLowerCase());
  const [x, y] = [key(a), key(b)];
  const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
  return sort.startsWith('-') ? -order : order;
}

/**
 * The loaded images with `image` where the server will list it: so that uploads finishing in any
 * order (several at once) show in the order a reload would give. One that belongs after the last
 * loaded image, with more pages to come, is left to its page.
 */
export function placeImage(images: Image[], image: Image, sort: ImageSort, complete: boolean): Image[] {
  if (images.some((i) => i.id === image.id)) return images;
  const at = images.findIndex((other) => compare(image, other, sort) < 0);
  if (at < 0) return complete ? [...images, image] : images;
  return [...images.slice(0, at), image, ...images.slice(at)];
}
