// A small history router: the server answers every non-API path with index.html.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

/**
 * What each history entry of ours remembers: the page load it was pushed in (`doc`) and the address
 * it was pushed from. Only such an entry can be left by a step back that stays in this page.
 */
type EntryState = { doc: string; from: string } | null;
const DOC = Math.random().toString(36).slice(2);
const here = () => location.pathname + location.search;
const pathOf = (address: string) => address.split(/[?#]/)[0];

/**
 * A step back asked for and not yet made: the browser makes it a moment later (a popstate). Until
 * then nothing else touches the history: a navigation asked for meanwhile waits for it (`queued`),
 * so that it can never land before the step back, which would then undo it.
 */
let steppingBack = false;
let queued: (() => void) | null = null;

addEventListener('popstate', () => {
  steppingBack = false;
  notify();
  const next = queued;
  queued = null;
  next?.();
});

export function navigate(to: string, { replace = false } = {}): void {
  if (steppingBack) {
    queued = () => navigate(to, { replace });
    return;
  }
  if (to === here()) return;
  // A replaced entry keeps where it came from; a pushed one remembers this one.
  if (replace) history.replaceState(history.state as EntryState, '', to);
  else history.pushState({ doc: DOC, from: here() } satisfies EntryState, '', to);
  notify();
}

/**
 * Leaves an overlay with its own address (the viewer) for `to`, the page under it, without a new
 * entry, so that Back never reopens what was just closed. When the overlay's entry was pushed from
 * `to` in this page, a step back (the page comes back with its own address, search included, and
 * re-renders on the popstate, not before); else the overlay's entry is replaced by `to` at once
 * (the page was loaded on the overlay's address).
 */
export function leave(to: string): void {
  if (steppingBack) return;
  const state = history.state as EntryState;
  if (state?.doc !== DOC || pathOf(state.from) !== pathOf(to)) return navigate(to, { replace: true });
  steppingBack = true;
  history.back();
}

/** The current path, re-rendering on navigation and on the browser's back and forward. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return path;
}

/** The current query (`?…`, or ''), re-rendering on navigation and on back and forward. */
export function useSearch(): string {
  const [search, setSearch] = useState(location.search);
  useEffect(() => {
    const update = () => setSearch(location.search);
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return search;
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
