// Keyset lists: each reply's `Link: <…>; rel="next"` gives the cursor of the next page. The first
// page is loaded by useData (so a list has the same loading, error and cancellation as everything
// else); the next pages extend it.
import { useCallback, useEffect, useRef } from 'preact/hooks';

import { nextCursor } from './api/client';
import { ErrorText } from './components/alert';
import { useData, type LoadError, type Reply } from './data';

type Pages<T> = { items: T[]; cursor: string | null };

/** A page's reply as the list it adds to: its items and the cursor of the page after it. */
async function asPages<T>(call: Promise<Reply<T[]>>): Promise<Reply<Pages<T>>> {
  const { data, error, response } = await call;
  return data ? { data: { items: data, cursor: nextCursor(response) }, response } : { error, response };
}

/** `loadPage(cursor, signal)`: one page of the list, from its start when `cursor` is undefined. */
export function usePaged<T>(
  loadPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Reply<T[]>>,
  deps: unknown[],
) {
  const list = useData((signal) => asPages(loadPage(undefined, signal)), deps, {
    errorText: 'Could not load this list.',
  });
  const cursor = list.data?.cursor;
  const { extend, setData } = list;
  const more = useCallback(() => {
    if (!cursor) return;
    extend(
      (signal) => asPages(loadPage(cursor, signal)),
      (before, page) => ({ items: [...before.items, ...page.items], cursor: page.cursor }),
    );
  }, [cursor, extend, ...deps]);
  const setItems = useCallback(
    (update: (before: T[]) => T[]) => setData((before) => before && { ...before, items: update(before.items) }),
    [setData],
  );
  return {
    items: list.data?.items ?? [],
    setItems,
    loading: list.loading,
    error: list.error,
    reload: list.reload,
    hasMore: !!cursor,
    more,
  };
}

/**
 * Calls `onVisible` when the end of the list comes near (infinite scroll; keyboard users get there by
 * tabbing through the list, which scrolls). It shows nothing: a control that moves down as rows
 * arrive would be a layout shift; screen readers hear that more is loading.
 */
export function MoreSentinel({
  hasMore,
  loading,
  onVisible,
  label = 'Loading more',
}: {
  hasMore: boolean;
  loading: boolean;
  onVisible: () => void;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) onVisible();
      },
      { rootMargin: '800px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, onVisible]);
  return (
    <div ref={ref} class="sentinel">
      <span class="visually-hidden" role="status">
        {hasMore && loading ? `${label}…` : ''}
      </span>
    </div>
  );
}

/** Why a list could not be loaded (offline, server down, refused), and a button that asks again. */
export function LoadFailed({ error, onRetry }: { error: LoadError | null; onRetry: () => void }) {
  if (!error) return null;
  return (
    <div class="row wrap">
      <ErrorText text={error.message} />
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
