// The filter bar over a list of photos (a gallery's grid, the Search screen): a search box that
// searches as one types, the sort, and "Filters", which opens the rest (tags, the dates taken, the
// camera, starred only: filter-panel.tsx, a chunk loaded when first opened or when the address
// already has one of them). It takes its place in the page, above the grid, on a phone too.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { SORTS, type Filters, type ImageSort, type SetFilters } from '../filters';
import { loadFilterPanel } from '../lazy';
import { Later } from './later';

const panel = () => loadFilterPanel().then((m) => m.ready.then(() => m.FilterPanel));

/** How many of the panel's filters are on. */
const inPanel = (f: Filters) => f.tags.length + (f.from || f.to ? 1 : 0) + (f.camera ? 1 : 0) + (f.starred ? 1 : 0);

type Props = { filters: Filters; setFilters: SetFilters; children?: ComponentChildren };

export function FilterBar({ filters, setFilters, children }: Props) {
  const active = inPanel(filters);
  const [open, setOpen] = useState(active > 0 && innerWidth > 640);
  return (
    <div class="filter-bar">
      <div class="filters">
        <SearchBox q={filters.q} onSearch={(q) => setFilters({ q }, { replace: true })} />
        <SortControl sort={filters.sort} onChange={(sort) => setFilters({ sort }, { replace: true })} />
        <button type="button" aria-expanded={open} aria-controls="filter-panel" onClick={() => setOpen(!open)}>
          Filters{active ? ` (${active})` : ''}
        </button>
        {children}
      </div>
      {open && (
        <div id="filter-panel">
          <Later load={panel} props={{ filters, setFilters }} fallback={null} />
        </div>
      )}
    </div>
  );
}

/** Searches 250 ms after the last key (the server takes the last word as a prefix). */
function SearchBox({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(q);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  // From the address (Back, Clear filters): unless it is what is typed.
  useEffect(() => setText((typed) => (typed.trim() === q ? typed : q)), [q]);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <input
      type="search"
      class="search"
      aria-label="Search photos"
      placeholder="Search titles, descriptions, tags"
      value={text}
      onInput={(event) => {
        const value = event.currentTarget.value;
        setText(value);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => onSearch(value.trim()), 250);
      }}
    />
  );
}

export function SortControl({ sort, onChange }: { sort: ImageSort; onChange: (sort: ImageSort) => void }) {
  const groups = [...new Set(SORTS.map((s) => s.group))];
  return (
    <label class="sort">
      <span>Sort</span>
      <select value={sort} onChange={(e) => onChange(e.currentTarget.value as ImageSort)}>
        {groups.map((group) => (
          <optgroup label={group} key={group}>
            {SORTS.filter((s) => s.group === group).map((s) => (
              <option value={s.value} key={s.value}>
                {s.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

/** An empty list because of the filters: it says so, and clears them (the sort stays). */
export function NoMatch({ setFilters }: { setFilters: SetFilters }) {
  return (
    <div class="row wrap">
      <p class="muted">No photos match.</p>
      <button
        type="button"
        onClick={() => setFilters({ q: '', tags: [], from: '', to: '', camera: '', starred: false })}
      >
        Clear filters
      </button>
    </div>
  );
}
