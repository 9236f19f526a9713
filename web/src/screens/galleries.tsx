import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, can, messageOf, type GallerySort } from '../api/client';
import { field } from '../helpers';
import { MoreSentinel, usePaged } from '../paging';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { ErrorText } from '../components/alert';

const SORTS: { value: GallerySort; label: string }[] = [
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: 'title', label: 'Name A–Z' },
  { value: '-title', label: 'Name Z–A' },
];

export function Galleries() {
  const { me } = useSession();
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(q);
  const [sort, setSort] = useState<GallerySort>((params.get('sort') as GallerySort | null) ?? '-created');
  useEffect(() => {
    document.title = 'Galleries · Gallery';
  }, []);
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

  const page = useCallback(
    (cursor: string | undefined) => api.GET('/api/gallery/galleries', { params: { query: { q: query || undefined, sort, limit: 30, cursor } } }),
    [query, sort],
  );
  const { items, loading, error, hasMore, more } = usePaged(page, [page]);

  return (
    <section>
      <div class="bar">
        <h1>Galleries</h1>
        {can(me, 'gallery:create') && <NewGallery />}
      </div>
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
      <ErrorText text={error} />
      <ul class="cards" aria-label="Galleries" aria-busy={loading}>
        {items.map((g) => (
          <li key={g.id} class="card">
            <Link href={`/galleries/${g.id}`} class="card-link">
              <span class="card-title">{g.name}</span>
            </Link>
            {g.description && <p class="muted clamp">{g.description}</p>}
            <p class="meta">
              {g.imageCount} {g.imageCount === 1 ? 'image' : 'images'} · {g.owner.username}
              {g.visibility === 'private' && <span class="badge">private</span>}
            </p>
          </li>
        ))}
      </ul>
      {!loading && !error && items.length === 0 && <p class="muted">{query ? 'No gallery matches.' : 'No galleries yet.'}</p>}
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more galleries" />
    </section>
  );
}

function NewGallery() {
  const [open, setOpen] = useState(false);
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
        <input type="checkbox" name="private" /> Private (only you, members and admins see it)
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
