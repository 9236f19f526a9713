// A gallery's select mode (loaded when first asked for: lazy.js): the grid's photos toggle instead
// of opening, and a toolbar that stays at the top of the window says how many are selected and
// what can be done with them: move them to another gallery, move them to the trash (with Undo),
// download them as one zip, or clear the selection. Ctrl/Cmd+A selects every photo loaded, Esc
// leaves the mode. Move and trash are offered to those who may change the gallery's images only.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { bulk, failuresOf, ok } from '../api/trash';
import { ErrorText } from '../components/alert';
import { countOf } from '../helpers';
import { tell, undoTrash, until } from '../notice';
import type { usePaged } from '../paging';
import { stylesheet } from '../stylesheet';
import { MoveDialog, type Target } from './gallery-move';
import { SelectGrid } from './select-grid';
import sheet from './select.css?url';

export type SelectProps = {
  galleryId: number;
  images: ReturnType<typeof usePaged<Image>>;
  /** Whether the user may move and trash this gallery's photos. */
  canChange: boolean;
  /** Photos left the gallery (moved, trashed) or came back (a negative count: restored). */
  onRemoved: (count: number) => void;
  /** The photos may have changed behind the screen's back (Undo): load them again. */
  onReload: () => void;
  onLeave: () => void;
};

/** Wait for it before showing the mode. */
export const ready = stylesheet(sheet);

/** At most this many photos in one request (the server's limit). */
const MAX = 500;

export function SelectMode(props: SelectProps) {
  const { images, canChange, onLeave } = props;
  const { items } = images;
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const [busy, setBusy] = useState(false);
  const anchor = useRef<number | null>(null);
  const ids = items.filter((image) => selected.has(image.id)).map((image) => image.id);
  useSelectKeys(() => setSelected(new Set(items.map((image) => image.id))), onLeave);
  // After the paint: the grid's tiles are not all on the page yet when layout effects run.
  useEffect(() => document.querySelector<HTMLElement>('.selecting [data-index]')?.focus(), []);

  const toggle = (index: number, range: boolean) => {
    const from = anchor.current;
    anchor.current = index;
    setSelected((before) => {
      const next = new Set(before);
      if (range && from !== null) {
        const [low, high] = from < index ? [from, index] : [index, from];
        items.slice(low, high + 1).forEach((image) => next.add(image.id));
      } else if (next.has(items[index].id)) next.delete(items[index].id);
      else next.add(items[index].id);
      return next;
    });
  };
  /** Runs a bulk action: those that succeeded leave the grid at once, the others stay selected, with why. */
  const run = async (action: 'move' | 'trash', verb: string, target?: Target) => {
    setBusy(true);
    setError(null);
    const reply = await bulk(action, ids, target?.id);
    setBusy(false);
    if (!reply.data) return setError(reply.error);
    const done = reply.data.filter(ok).map((r) => r.id);
    images.setItems((before) => before.filter((image) => !done.includes(image.id)));
    setSelected((before) => new Set([...before].filter((id) => !done.includes(id))));
    anchor.current = null;
    setError(failuresOf(reply.data, verb));
    if (done.length) props.onRemoved(done.length);
    const photos = countOf(done.length, 'photo');
    if (done.length && target) tell(`${photos} moved to ${target.name}`);
    if (done.length && action === 'trash') {
      // Without a day of purge the server has no trash (TRASH_DAYS=0): they are gone for good.
      const purgeAt = reply.data.find((r) => ok(r) && r.purgeAt)?.purgeAt;
      if (!purgeAt) return tell(`${photos} deleted for good`);
      tell(
        `${photos} moved to the trash${until(purgeAt)}`,
        undoTrash({ images: done }, `${photos} restored`, props.onReload),
      );
    }
  };

  return (
    <>
      <div class="select-bar" role="toolbar" aria-label="Selected photos">
        <span class="count" role="status">
          {ids.length} selected
        </span>
        {canChange && (
          <>
            <button type="button" disabled={!ids.length || busy} onClick={() => setMoving(true)}>
              Move to…
            </button>
            <button
              type="button"
              disabled={!ids.length || busy}
              onClick={() => void run('trash', 'moved to the trash')}
            >
              Move to trash
            </button>
          </>
        )}
        <DownloadLink ids={ids} />
        <button type="button" disabled={!ids.length} onClick={() => setSelected(new Set())}>
          Clear
        </button>
        <button type="button" class="primary" onClick={onLeave}>
          Done
        </button>
      </div>
      <ErrorText text={error} />
      <SelectGrid images={items} complete={!images.hasMore} selected={selected} onToggle={toggle} />
      {moving && (
        <MoveDialog
          from={props.galleryId}
          count={ids.length}
          onClose={(target) => {
            setMoving(false);
            if (target) void run('move', 'moved', target);
          }}
        />
      )}
    </>
  );
}

/** The selection as one zip: the browser downloads it (the session cookie goes along). */
function DownloadLink({ ids }: { ids: number[] }) {
  if (!ids.length || ids.length > MAX)
    return (
      <button type="button" disabled title={ids.length ? `At most ${MAX} photos at once` : undefined}>
        Download
      </button>
    );
  return (
    <a class="button" href={`/api/gallery/images/download?ids=${ids.join(',')}`} download>
      Download
    </a>
  );
}

/** Ctrl/Cmd+A selects all, Esc leaves: not while typing, nor while a dialog is open (its own Esc). */
function useSelectKeys(selectAll: () => void, leave: () => void): void {
  const latest = useRef({ selectAll, leave });
  latest.current = { selectAll, leave };
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.target as HTMLElement).closest('input, textarea, select, dialog')) return;
      if (document.querySelector('dialog[open], .viewer')) return;
      if (event.key === 'Escape') latest.current.leave();
      else if (event.key.toLowerCase() === 'a' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        latest.current.selectAll();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
}
