// The filter bar's panel (filter-bar.tsx; a chunk loaded when first opened): tags as chips (every
// one must match), the dates taken (from, to), the camera and "Starred only". Each change is a new
// address, so Back undoes it.
import type { Filters, SetFilters } from '../filters';
import { stylesheet } from '../stylesheet';
import sheet from './find.css?url';
import { TagChips, TagInput } from './tag-input';

/** Wait for it before showing the panel. */
export const ready = stylesheet(sheet);

/** The most tags one list may be narrowed by (the server's limit). */
const MAX_TAGS = 10;

export function FilterPanel({ filters, setFilters }: { filters: Filters; setFilters: SetFilters }) {
  const { tags } = filters;
  return (
    <div class="panel filter-panel">
      <div class="tag-filter">
        <TagChips tags={tags} onRemove={(tag) => setFilters({ tags: tags.filter((t) => t !== tag) })} />
        {tags.length < MAX_TAGS && (
          <TagInput
            id="tag-filter"
            label="Filter by tag"
            exclude={tags}
            onAdd={(tag) => setFilters({ tags: [...new Set([...tags, tag.toLowerCase().replace(/\s+/g, ' ')])] })}
          />
        )}
      </div>
      <label>
        Taken from
        <input
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onChange={(e) => setFilters({ from: e.currentTarget.value })}
        />
      </label>
      <label>
        Taken to
        <input
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onChange={(e) => setFilters({ to: e.currentTarget.value })}
        />
      </label>
      <label>
        Camera
        <input
          type="search"
          defaultValue={filters.camera}
          key={filters.camera}
          maxLength={200}
          onChange={(e) => setFilters({ camera: e.currentTarget.value.trim() })}
        />
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={filters.starred}
          onChange={(e) => setFilters({ starred: e.currentTarget.checked })}
        />
        Starred only
      </label>
    </div>
  );
}
