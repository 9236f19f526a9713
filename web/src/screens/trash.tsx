// The trash (/trash, loaded when first opened): the photos and galleries deleted, newest first, a
// page at a time; each can be restored or, by the gallery's owner or an admin, deleted for good
// before its time. Several can be selected and restored together; "Empty trash" deletes for good
// everything the user may. Deleting for good asks first.
import { useCallback, useState } from 'preact/hooks';

import { deleteForever, emptyTrash, failuresOf, ok, restore, trashPage, type TrashEntry } from '../api/trash';
import { NoticeText, type Notice } from '../components/alert';
import { useConfirm } from '../components/confirm';
import { countOf } from '../helpers';
import { LoadFailed, MoreSentinel, usePaged } from '../paging';
import { stylesheet } from '../stylesheet';
import { useTitle } from '../title';
import { keyOf, nameOf, TrashItem } from './trash-entry';
import sheet from './trash.css?url';

/** Wait for it before showing the screen. */
export const ready = stylesheet(sheet);

export function Trash() {
  useTitle('Trash');
  const list = usePaged<TrashEntry>(
    useCallback((cursor, signal) => trashPage(cursor, signal), []),
    [],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState(false);
  const { ask, dialog } = useConfirm();
  const { items } = list;
  const chosen = items.filter((entry) => selected.has(keyOf(entry)));

  /** Runs a change; what it answers goes: those entries leave the list (and the selection). */
  const change = async (work: () => Promise<{ gone: string[]; text: string; error?: boolean }>) => {
    setBusy(true);
    const { gone, text, error = false } = await work();
    setBusy(false);
    list.setItems((before) => before.filter((entry) => !gone.includes(keyOf(entry))));
    setSelected((before) => new Set([...before].filter((key) => !gone.includes(key))));
    setNotice({ text, error });
  };
  const restoreThem = (entries: TrashEntry[]) =>
    change(async () => {
      const reply = await restore({
        images: entries.filter((e) => e.type === 'image').map((e) => e.id),
        galleries: entries.filter((e) => e.type === 'gallery').map((e) => e.id),
      });
      if (!reply.data) return { gone: [], text: reply.error, error: true };
      const back = reply.data.filter(ok).map((r) => `${r.type}:${r.id}`);
      const failed = failuresOf(reply.data, 'restored');
      const text =
        entries.length === 1 && back.length
          ? `${nameOf(entries[0])} restored`
          : `${countOf(back.length, 'item')} restored`;
      return failed
        ? { gone: back, text: back.length ? `${text}. ${failed}` : failed, error: true }
        : { gone: back, text };
    });
  const deleteOne = async (entry: TrashEntry) => {
    const name = nameOf(entry);
    const sure = await ask({
      title: `Delete ${name} forever?`,
      detail:
        entry.type === 'gallery'
          ? 'The gallery and every photo in it are deleted for good. This cannot be undone.'
          : 'The photo and its files are deleted for good. This cannot be undone.',
      action: 'Delete forever',
      danger: true,
    });
    if (!sure) return;
    await change(async () => {
      const reply = await deleteForever(entry);
      if (!reply.data) return { gone: [], text: reply.error, error: true };
      return { gone: [keyOf(entry)], text: `${name} deleted for good` };
    });
  };
  const empty = async () => {
    const sure = await ask({
      title: 'Empty the trash?',
      detail: 'Everything in the trash that you may delete is deleted for good. This cannot be undone.',
      action: 'Empty trash',
      danger: true,
    });
    if (!sure) return;
    setBusy(true);
    // One request deletes a part of a very full trash and says how much is left: go on until done.
    let [images, galleries, failed] = [0, 0, null as string | null];
    for (;;) {
      const reply = await emptyTrash();
      if (!reply.data) {
        failed = reply.error;
        break;
      }
      images += reply.data.images;
      galleries += reply.data.galleries;
      if (!reply.data.remaining || reply.data.images + reply.data.galleries === 0) break;
      setNotice({ text: `Deleting for good… ${countOf(images + galleries, 'item')} so far`, error: false });
    }
    setBusy(false);
    if (failed) return setNotice({ text: failed, error: true });
    setNotice({
      text: `Deleted for good: ${countOf(images, 'photo')}, ${countOf(galleries, 'gallery')}`,
      error: false,
    });
    setSelected(new Set());
    list.reload();
  };

  return (
    <section class="trash">
      <div class="bar">
        <div>
          <h1>Trash</h1>
          <p class="muted">
            Deleted photos and galleries stay here until the day shown, then they are deleted for good.
          </p>
        </div>
        {items.length > 0 && (
          <button type="button" class="danger" disabled={busy} onClick={() => void empty()}>
            Empty trash
          </button>
        )}
      </div>
      <NoticeText notice={notice} />
      <LoadFailed error={list.error} onRetry={list.reload} />
      {!list.loading && !list.error && items.length === 0 && <p class="empty-trash">The trash is empty.</p>}
      {items.length > 0 && (
        <div class="row trash-selection">
          <span role="status">{chosen.length} selected</span>
          <button type="button" disabled={!chosen.length || busy} onClick={() => void restoreThem(chosen)}>
            Restore selected
          </button>
        </div>
      )}
      <ul class="trash-list" aria-label="In the trash">
        {items.map((entry) => (
          <TrashItem
            key={keyOf(entry)}
            entry={entry}
            busy={busy}
            selected={selected.has(keyOf(entry))}
            onSelect={(on) =>
              setSelected((before) => {
                const next = new Set(before);
                if (on) next.add(keyOf(entry));
                else next.delete(keyOf(entry));
                return next;
              })
            }
            onRestore={() => void restoreThem([entry])}
            onDelete={() => void deleteOne(entry)}
          />
        ))}
      </ul>
      <MoreSentinel hasMore={list.hasMore} loading={list.loading} onVisible={list.more} label="Loading more" />
      {dialog}
    </section>
  );
}
