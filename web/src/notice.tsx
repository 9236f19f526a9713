// The outcome of a change that can be taken back ("3 photos moved to the trash", Undo), shown at
// the foot of the window whatever screen comes next, until the next one or Dismiss. Screen readers
// hear it (role="status", always in the page so that a change is announced).
import { useEffect, useState } from 'preact/hooks';

import { failuresOf, restore, type DeleteReply } from './api/trash';
import { formatDay } from './helpers';

type Shown = { text: string; error?: boolean; undo?: () => Promise<string> };

let shown: Shown | null = null;
const renders = new Set<() => void>();

/**
 * Shows `text` ('' hides it); with `undo`, an Undo button that runs it and then shows the sentence
 * it resolves to (or the message of the Error it rejects with, as an error).
 */
export function tell(text: string, undo?: () => Promise<string>, error = false): void {
  shown = text ? { text, undo, error } : null;
  renders.forEach((render) => render());
}

export function NoticeArea() {
  const [, setRound] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const render = () => setRound((r) => r + 1);
    renders.add(render);
    return () => void renders.delete(render);
  }, []);
  const undo = async (run: () => Promise<string>) => {
    setBusy(true);
    await run().then(tell, (e: Error) => tell(e.message, undefined, true));
    setBusy(false);
  };
  return (
    <div class="notice-area" role="status">
      {shown && (
        <p class={shown.error ? 'notice failed' : 'notice'}>
          <span>{shown.text}</span>
          {shown.undo && (
            <button type="button" disabled={busy} onClick={() => void undo(shown!.undo!)}>
              Undo
            </button>
          )}
          <button type="button" aria-label="Dismiss" onClick={() => tell('')}>
            ✕
          </button>
        </p>
      )}
    </div>
  );
}

/** Undo of a move to the trash: restores `items`, then `after`; rejects with why when any stayed in the trash. */
export const undoTrash =
  (items: { images?: number[]; galleries?: number[] }, done: string, after: () => void) => async () => {
    const reply = await restore(items);
    if (!reply.data) throw new Error(reply.error);
    after();
    const failed = failuresOf(reply.data, 'restored');
    if (failed) throw new Error(failed);
    return done;
  };

/** " (deleted for good on Jan 5, 2027)", or nothing without a day. */
export const until = (purgeAt: string | null | undefined) =>
  purgeAt ? ` (deleted for good on ${formatDay(purgeAt)})` : '';

/** After a delete the server answered with `reply`: when it went to the trash, says so and until when, with Undo. */
export function toldTrashed(
  reply: DeleteReply | undefined,
  what: string,
  items: { images?: number[]; galleries?: number[] },
  after: () => void,
): void {
  if (!reply?.trashed) return;
  tell(`${what} moved to the trash${until(reply.purgeAt)}`, undoTrash(items, `${what} restored`, after));
}
