// Every screen names the browser tab after what it shows ("Access tokens · Gallery"), so that tabs,
// history and screen readers say where the user is. Until a screen knows its name (a gallery still
// loading), the tab keeps the previous one.
import { useEffect } from 'preact/hooks';

export function useTitle(what: string | null | undefined, site = 'Gallery'): void {
  useEffect(() => {
    if (what) document.title = `${what} · ${site}`;
  }, [what, site]);
}
