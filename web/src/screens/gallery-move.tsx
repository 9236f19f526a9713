// "Move to…" in select mode: a modal dialog listing the galleries the user may add photos to (their
// own; a member's where they are an editor; every gallery for an admin), one button each. Esc or
// Cancel closes it without a move; focus then goes back to the control that opened it.
import { useLayoutEffect, useRef } from 'preact/hooks';

import { api, can, type GalleryListItem, type Me } from '../api/client';
import { ErrorText } from '../components/alert';
import { useData } from '../data';
import { countOf } from '../helpers';
import { useSession } from '../session';

export type Target = { id: number; name: string };

/** The galleries `me` may write, but `from`, by name (the first 100 of those visible). */
async function writable(me: Me | null, from: number, signal: AbortSignal) {
  const { data, error, response } = await api.GET('/api/gallery/galleries', {
    params: { query: { sort: 'title', limit: 100, count: '0' } },
    signal,
  });
  if (!data) return { error, response };
  const others = data.filter((g) => g.id !== from);
  if (can(me, 'user:manage')) return { data: others, response };
  const editor = async (g: GalleryListItem) => {
    const members = await api.GET('/api/gallery/galleries/{id}/members', { params: { path: { id: g.id } }, signal });
    return !!members.data?.some((m) => m.role === 'editor' && ('user' in m ? m.user.id === me?.id : m.includesYou));
  };
  const mine = await Promise.all(others.map((g) => (g.owner.id === me?.id ? Promise.resolve(true) : editor(g))));
  return { data: others.filter((_, i) => mine[i]), response };
}

export function MoveDialog({
  from,
  count,
  onClose,
}: {
  from: number;
  count: number;
  onClose: (target: Target | null) => void;
}) {
  const { me } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const chosen = useRef<Target | null>(null);
  const galleries = useData((signal) => writable(me, from, signal), [from], {
    errorText: 'The galleries could not be loaded.',
  });
  useLayoutEffect(() => {
    const element = dialog.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    return () => {
      if (element.open) element.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const pick = (target: Target | null) => {
    chosen.current = target;
    dialog.current?.close();
  };
  const list = galleries.data;
  return (
    <dialog ref={dialog} class="confirm move" aria-labelledby="move-title" onClose={() => onClose(chosen.current)}>
      <h2 id="move-title">Move {countOf(count, 'photo')} to…</h2>
      <ErrorText text={galleries.error?.message} />
      {!list && !galleries.error && <p class="muted">Loading galleries…</p>}
      {list && !list.length && <p>There is no other gallery you may add photos to.</p>}
      {list && list.length > 0 && (
        <ul class="targets" aria-label="Galleries">
          {list.map((g) => (
            <li key={g.id}>
              <button type="button" onClick={() => pick({ id: g.id, name: g.name })}>
                {g.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="row">
        <button type="button" onClick={() => pick(null)}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
