// A small history router: the server answers every non-API path with index.html.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** What each entry of ours remembers: the address of the entry before it, when pushed in this tab. */
type EntryState = { from?: string } | null;
const here = () => location.pathname + location.search;
const pathOf = (address: string) => address.split(/[?#]/)[0];

/** Set while an overlay with its own address (the viewer) closes: see `closing`. */
let leaving = false;
/** A step back asked for and not yet made (the browser makes it a moment later). */
let goingBack = false;
addEventListener('popstate', () => (goingBack = false));

export function navigate(to: string, { replace = false } = {}): void {
  if (leaving) {
    leaving = false;
    return leave(to);
  }
  if (to === here()) return;
  // A replaced entry keeps the address it came from; a pushed one remembers this one.
  if (replace) history.replaceState(history.state as EntryState, '', to);
  else history.pushState({ from: here() } satisfies EntryState, '', to);
  for (const listener of listeners) listener();
}

/** Back to `to` when this entry was pushed from there (a popstate follows), else `to` in its place. */
function leave(to: string): void {
  if (goingBack) return;
  const from = (history.state as EntryState)?.from;
  if (from === undefined || pathOf(from) !== pathOf(to)) return navigate(to, { replace: true });
  goingBack = true;
  history.back();
}

/**
 * Runs `close`, the closing of an overlay with its own address (the viewer at `…/images/{id}`),
 * so that the address it leaves for is not a new entry: back in history when the overlay was opened
 * from there in this tab, else in place of the overlay's entry (the page was loaded on its address).
 * Either way, Back never reopens what was just closed.
 */
export function closing(close: () => void): void {
  leaving = true;
  try {
    close();
  } finally {
    leaving = false;
  }
}

/** The current path, re-rendering on navigation and on the browser's back and forward. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** The parameters of `pattern` (`/galleries/:id`) in `path`, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

type LinkProps = Omit<JSX.HTMLAttributes<HTMLAnchorElement>, 'href'> & { href: string; children?: ComponentChildren };

/** An ordinary link (keyboard, middle click, copy address) that navigates in place. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
