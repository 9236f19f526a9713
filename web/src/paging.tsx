// Keyset pages: each reply's `Link: <…>; rel="next"` gives the cursor of the next page.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, nextCursor } from './api/client';

type Page<T> = { data?: T[]; error?: unknown; response: Response };

export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[]) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const busy = useRef(false);

  const load = useCallback(
    async (from: string | undefined, gen: number) => {
      busy.current = true;
      setLoading(true);
      const { data, error, response } = await fetchPage(from);
      busy.current = false;
      if (gen !== generation.current) return;
      setLoading(false);
      if (!data) return setError(messageOf(error, 'Could not load this list.'));
      setError(null);
      setItems((before) => (from ? [...before, ...data] : data));
      setCursor(nextCursor(response));
    },
    deps,
  );

  useEffect(() => {
    const gen = ++generation.current;
    setItems([]);
    setCursor(undefined);
    void load(undefined, gen);
  }, [load]);

  const more = useCallback(() => {
    if (busy.current || !cursor) return;
    void load(cursor, generation.current);
  }, [cursor, load]);

  return { items, setItems, loading, error, hasMore: !!cursor, more };
}

/**
 * Calls `onVisible` when the end of the list comes near (infinite scroll; keyboard users get there by
 * tabbing through the list, which scrolls). It shows nothing: a control that moves down as rows
 * arrive would be a layout shift; screen readers hear that more is loading.
 */
export function MoreSentinel({ hasMore, loading, onVisible, label = 'Loading more' }: { hasMore: boolean; loading: boolean; onVisible: () => void; label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onVisible();
    }, { rootMargin: '800px' });
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
