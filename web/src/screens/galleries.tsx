// The galleries the user may see: search, sort, infinite scroll; "New gallery" for those who may create.
import { useCallback, useEffect, useState } from 'preact/hooks';

import { api, can, messageOf, type GalleryListItem, type GallerySort } from '../api/client';
import { ErrorText } from '../components/alert';
import { Thumb } from '../components/justified';
import { countOf, field } from '../helpers';
import { useJoinSettings } from '../join-settings';
import { LoadFailed, MoreSentinel, usePaged } from '../paging';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { useTitle } from '../title';

import './covers.css';

const SORTS: { value: GallerySort; label: string }[] = [
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: 'title', label: 'Name A–Z' },
  { value: '-title', label: 'Name Z–A' },
];

type Filters = {
  q: string;
  setQ: (q: string) => void;
  query: string;
  sort: GallerySort;
  setSort: (sort: GallerySort) => void;
};

/**
 * The search box and the sort, kept in the address (`?q=…&sort=…`) so that a reload or a shared
 * link shows the same list. The search is sent once typing pauses for 250 ms.
 */
function useFilters(): Filters {
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(q);
  const [sort, setSort] = useState<GallerySort>((params.get('sort') as GallerySort | null) ?? '-created');
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(timer);
  }, [q]);
  useEffect(() => {
    const search = new URLSearchParams();
    if (query) search.set('q', query);
    if (sort !== '-created') search.set('sort', sort);
    const text = search.toString();
    history.replaceState(null, '', text ? `/?${text}` : '/');
  }, [query, sort]);
  return { q, setQ, query, sort, setSort };
}

export function Galleries() {
  const { me } = useSession();
  const filters = useFilters();
  const { query, sort } = filters;
  useTitle('Galleries');
  const page = useCallback(
    (cursor: string | undefined, signal: AbortSignal) =>
      api.GET('/api/gallery/galleries', {
        params: { query: { q: query || undefined, sort, limit: 30, cursor } },
        signal,
      }),
    [query, sort],
  );
  const { items, loading, error, hasMore, more, reload } = usePaged(page, [page]);

  return (
    <section>
      <div class="bar">
        <h1>Galleries</h1>
        {can(me, 'gallery:create') && <NewGallery />}
      </div>
      <FilterForm {...filters} />
      <LoadFailed error={error} onRetry={reload} />
      <GalleryCards galleries={items} loading={loading} />
      {!loading && !error && items.length === 0 && (
        <p class="muted">{query ? 'No gallery matches.' : 'No galleries yet.'}</p>
      )}
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more galleries" />
    </section>
  );
}

function FilterForm({ q, setQ, sort, setSort }: Filters) {
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      <label>
        Search
        <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="Name or description" />
      </label>
      <label>
        Sort
        <select value={sort} onChange={(e) => setSort(e.currentTarget.value as GallerySort)}>
          {SORTS.map((s) => (
            <option value={s.value} key={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}

/**
 * The galleries as an album list: each its cover (the thumbnail filling a square tile, its
 * placeholder first), its name and count under it; an empty gallery gets a drawn frame instead.
 */
function GalleryCards({ galleries, loading }: { galleries: GalleryListItem[]; loading: boolean }) {
  return (
    <ul class="albums" aria-label="Galleries" aria-busy={loading}>
      {galleries.map((g) => (
        <li key={g.id} class="album">
          <Link href={`/galleries/${g.id}`} class="album-link">
            <span class="album-cover">
              {g.cover ? <Thumb src={g.cover.thumbnailUrl} alt="" hash={g.cover.thumbhash} /> : <EmptyCover />}
            </span>
            <span class="album-name">{g.name}</span>
          </Link>
          <p class="album-meta">
            {countOf(g.imageCount, 'image')} · {g.owner.username}
            <span class="badge">{g.visibility}</span>
          </p>
        </li>
      ))}
    </ul>
  );
}

/** What an empty gallery shows where its cover would be: a picture frame, drawn, with no words. */
function EmptyCover() {
  return (
    <svg class="album-empty" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
      <rect x="7" y="11" width="34" height="26" rx="3" />
      <circle cx="17" cy="20" r="3" />
      <path d="M11 33l9-9 6 6 4-4 7 7" />
    </svg>
  );
}

function NewGallery() {
  const [open, setOpen] = useState(false);
  const join = useJoinSettings();
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.POST('/api/gallery/galleries', {
      body: {
        name: field(form, 'name'),
        description: field(form, 'description'),
        visibility: form.get('private') ? 'private' : 'shared',
      },
    });
    if (!data) return setError(messageOf(error, 'Could not create the gallery.'));
    navigate(`/galleries/${data.id}`);
  };
  if (!open) {
    return (
      <button type="button" class="primary" onClick={() => setOpen(true)}>
        New gallery
      </button>
    );
  }
  return (
    <form class="panel stack" onSubmit={(e) => void submit(e)} aria-label="New gallery">
      <label>
        Name
        <input name="name" required maxLength={200} autoFocus />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} />
      </label>
      <label class="check">
        <input type="checkbox" name="private" defaultChecked={join?.defaultGalleryVisibility === 'private'} /> Private
        (only you, members and admins see it)
      </label>
      <ErrorText text={error} />
      <div class="row">
        <button type="submit" class="primary">
          Create gallery
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
