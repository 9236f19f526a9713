// What a list of photos is narrowed to and in what order, kept in the address (`?q=harbour&tag=sea
// &tag=boat&from=2024-05-01&to=2024-05-31&camera=x100&starred=1&sort=-taken`): a reload, a shared
// link, Back and Forward show the same photos. The address is the only place it lives: the screen
// reads it, and a change is a new address. While the viewer is open over the list (an address of
// its own, without the query), the list keeps what it had.
import { useCallback, useRef } from 'preact/hooks';

import { api, type Image } from './api/client';
import { usePaged } from './paging';
import { navigate, usePath, useSearch } from './router';

export type ImageSort = '-created' | 'created' | '-taken' | 'taken' | 'title' | '-title';

export type Filters = {
  q: string;
  tags: string[];
  from: string;
  to: string;
  camera: string;
  starred: boolean;
  sort: ImageSort;
};

/** The sort's choices, in groups: date added, date taken, title. */
export const SORTS: { value: ImageSort; label: string; group: string }[] = [
  { value: '-created', label: 'Newest added', group: 'Date added' },
  { value: 'created', label: 'Oldest added', group: 'Date added' },
  { value: '-taken', label: 'Newest taken', group: 'Date taken' },
  { value: 'taken', label: 'Oldest taken', group: 'Date taken' },
  { value: 'title', label: 'Title A–Z', group: 'Title' },
  { value: '-title', label: 'Title Z–A', group: 'Title' },
];
const DEFAULT_SORT: ImageSort = '-created';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersOf(search: string): Filters {
  const query = new URLSearchParams(search);
  const text = (name: string) => query.get(name)?.trim() ?? '';
  const day = (name: string) => (DAY.test(text(name)) ? text(name) : '');
  const sort = query.get('sort');
  return {
    q: text('q'),
    tags: [...new Set(query.getAll('tag').map((tag) => tag.trim().toLowerCase()))].filter(Boolean),
    from: day('from'),
    to: day('to'),
    camera: text('camera'),
    starred: query.get('starred') === '1',
    sort: SORTS.find((s) => s.value === sort)?.value ?? DEFAULT_SORT,
  };
}

/** The address's query for `filters` ('' or `?…`): only what differs from the defaults. */
export function searchOf(filters: Filters): string {
  const query = new URLSearchParams();
  if (filters.q) query.set('q', filters.q);
  for (const tag of filters.tags) query.append('tag', tag);
  if (filters.from) query.set('from', filters.from);
  if (filters.to) query.set('to', filters.to);
  if (filters.camera) query.set('camera', filters.camera);
  if (filters.starred) query.set('starred', '1');
  if (filters.sort !== DEFAULT_SORT) query.set('sort', filters.sort);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** Whether anything narrows the list (the sort does not). */
export const narrowed = (f: Filters) => !!(f.q || f.tags.length || f.from || f.to || f.camera || f.starred);

/** The list request's query for `filters`. */
export function queryOf(f: Filters) {
  return {
    sort: f.sort,
    q: f.q || undefined,
    tag: f.tags.length ? f.tags : undefined,
    takenFrom: f.from || undefined,
    takenTo: f.to || undefined,
    camera: f.camera || undefined,
    favorite: f.starred ? ('true' as const) : undefined,
  };
}

export type SetFilters = (change: Partial<Filters>, options?: { replace?: boolean }) => void;

/**
 * The filters of the list at `listPath`, from the address while it is shown (kept while another
 * address, the viewer's, is), and the way to change them: a new history entry, or the same one
 * replaced (typing, the sort: Back leaves the list rather than undoing a letter).
 */
export function useFilters(listPath: string): [Filters, SetFilters] {
  const path = usePath();
  const search = useSearch();
  const kept = useRef(filtersOf(search));
  if (path === listPath) kept.current = filtersOf(search);
  const filters = kept.current;
  const set: SetFilters = (change, { replace = false } = {}) =>
    navigate(listPath + searchOf({ ...kept.current, ...change }), { replace });
  return [filters, set];
}

const PAGE = 60;

/** The photos of `gallery` (of every gallery the user sees: undefined) that `filters` lets through, a page at a time. */
export function useFilteredImages(filters: Filters, gallery?: number) {
  const key = searchOf(filters);
  const page = useCallback(
    (cursor: string | undefined, signal: AbortSignal) =>
      api.GET('/api/gallery/view-images', {
        params: { query: { ...queryOf(filters), gallery, limit: PAGE, cursor } },
        signal,
      }),
    [gallery, key],
  );
  return usePaged<Image>(page, [page]);
}
