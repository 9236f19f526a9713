// One entry of the trash: a photo (its ThumbHash placeholder: its files are not served while it is
// in the trash) or a gallery (a drawn frame), what it is and where it was, when it went to the
// trash and when it will be deleted for good, Restore and, for those who may, Delete forever.
import type { TrashEntry } from '../api/trash';
import { placeholderOf } from '../components/justified';
import { countOf, formatDay, imageName } from '../helpers';

const MOMENT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const keyOf = (entry: TrashEntry) => `${entry.type}:${entry.id}`;
export const nameOf = (entry: TrashEntry) => (entry.type === 'image' ? imageName(entry) : `Gallery "${entry.name}"`);

type Props = {
  entry: TrashEntry;
  selected: boolean;
  busy: boolean;
  onSelect: (selected: boolean) => void;
  onRestore: () => void;
  onDelete: () => void;
};

export function TrashItem({ entry, selected, busy, onSelect, onRestore, onDelete }: Props) {
  const name = nameOf(entry);
  const id = `trash-${entry.type}-${entry.id}`;
  const placeholder = entry.type === 'image' ? placeholderOf(entry.thumbhash) : undefined;
  return (
    <li class="trash-entry">
      <input
        type="checkbox"
        checked={selected}
        aria-label={`Select ${name}`}
        onChange={(e) => onSelect(e.currentTarget.checked)}
      />
      <span
        class={entry.type === 'image' ? 'trash-thumb' : 'trash-thumb frame'}
        style={placeholder ? { backgroundImage: `url("${placeholder}")` } : undefined}
        aria-hidden="true"
      />
      <div class="trash-text">
        <strong id={id}>{name}</strong>
        <span class="muted">
          {entry.type === 'image' ? `in ${entry.gallery.name}` : countOf(entry.imageCount, 'image')}
        </span>
        <span class="small muted">
          Moved to the trash <time dateTime={entry.trashedAt}>{MOMENT.format(new Date(entry.trashedAt))}</time>
          {entry.trashedBy?.username && ` by ${entry.trashedBy.username}`}
          {entry.purgeAt && (
            <>
              {' · '}deleted for good on <time dateTime={entry.purgeAt}>{formatDay(entry.purgeAt)}</time>
            </>
          )}
        </span>
      </div>
      <div class="row">
        <button type="button" disabled={busy} onClick={onRestore} aria-describedby={id}>
          Restore
        </button>
        {entry.canDeleteForever && (
          <button type="button" class="danger" disabled={busy} onClick={onDelete} aria-describedby={id}>
            Delete forever
          </button>
        )}
      </div>
    </li>
  );
}
