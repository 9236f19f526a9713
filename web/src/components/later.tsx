// A part of the app that the first load goes without (lazy.js): shown once its chunk has arrived,
// `fallback` meanwhile; a chunk that cannot be fetched (offline, a new version deployed) says so.
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { ErrorText } from './alert';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each loader's own props
const loaded = new Map<unknown, ComponentType<any>>();

export function Later<P extends object>({
  load,
  props,
  fallback = (
    <p class="muted" role="status">
      Loading…
    </p>
  ),
}: {
  /** The same function on every render (a module's constant). */
  load: () => Promise<ComponentType<P>>;
  props: P;
  fallback?: ComponentChildren;
}) {
  const [failed, setFailed] = useState(false);
  const [, setArrived] = useState(0);
  const Part = loaded.get(load) as ComponentType<P> | undefined;
  useEffect(() => {
    if (Part) return;
    let live = true;
    load().then(
      (part) => {
        loaded.set(load, part);
        // A count, not a flag: the same Later may show one part, then another (from one screen to the next).
        if (live) setArrived((count) => count + 1);
      },
      () => live && setFailed(true),
    );
    return () => void (live = false);
  }, [load]);
  if (Part) return <Part {...props} />;
  if (failed) return <ErrorText text="This part of the app could not be loaded. Check your connection and reload." />;
  return <>{fallback}</>;
}
