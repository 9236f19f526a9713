// The shell around every screen: the skip link, the top bar, and <main> with the screen of the
// current address (from the route table in routes.tsx), once it is known who is signed in.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

import { api, can, type Me } from './api/client';
import { ErrorText } from './components/alert';
import { stopUploads } from './components/upload-queue';
import { useFocusOnNavigation } from './focus';
import { NoticeArea, tell } from './notice';
import { Link, navigate, usePath } from './router';
import { findRoute, type Access, type Found } from './routes';
import { NotFound } from './screens/not-found';
import { SessionProvider, useSession, type Session } from './session';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const path = usePath();
  const session = useSession();
  const main = useRef<HTMLElement>(null);
  const found = findRoute(path);
  useFocusOnNavigation(path, main);
  useAccessRedirects(found, session);
  useRefreshOnNavigation(path, session.refresh);
  // Signed out (or the session ended): the uploads of this tab stop, and the next user sees none
  // of them, nor an Undo of the last user's.
  useEffect(() => {
    if (session.me) return;
    stopUploads();
    tell('');
  }, [session.me]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <TopBar showNav={found?.route.access !== 'anyone'} />
      <main id="main" ref={main} tabIndex={-1}>
        {screenOf(found, session)}
      </main>
      <NoticeArea />
    </>
  );
}

/** What <main> shows: the route's screen when the user may open it. */
function screenOf(found: Found | null, { me, loading, error }: Session): JSX.Element | null {
  if (found?.route.access === 'anyone') return found.route.screen(found.params);
  if (loading)
    return (
      <p class="muted" role="status">
        Loading…
      </p>
    );
  if (error) return <ErrorText text={error.message} />;
  if (found?.route.access === 'signed-out') return found.route.screen(found.params);
  // Signed out: on the way to the sign-in screen (useAccessRedirects).
  if (!me) return null;
  if (!found || !allows(found.route.access, me)) return <NotFound />;
  return found.route.screen(found.params);
}

function allows(access: Access, me: Me): boolean {
  if (access === 'anyone' || access === 'signed-in') return true;
  if (access === 'signed-out') return false;
  return can(me, access);
}

/** Signed out on a screen that needs an account: to sign in. Signed in on the sign-in screens: home. */
function useAccessRedirects(found: Found | null, { me, loading, error }: Session): void {
  const access = found?.route.access;
  useEffect(() => {
    if (loading || error) return;
    if (!me && access !== 'anyone' && access !== 'signed-out') navigate('/signin', { replace: true });
    if (me && access === 'signed-out') navigate('/', { replace: true });
  }, [loading, error, me, access]);
}

/**
 * After each move to another screen, who is signed in is asked again: not on the first load (just
 * asked), nor from one photo to the next in the viewer.
 */
function useRefreshOnNavigation(path: string, refresh: () => void): void {
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = path;
    if (before !== null && !(before.includes('/images/') && path.includes('/images/'))) refresh();
  }, [path]);
}

function TopBar({ showNav }: { showNav: boolean }) {
  const { me, setMe } = useSession();
  const signOut = async () => {
    await api.DELETE('/api/auth/session');
    setMe(null);
    navigate('/signin');
  };
  return (
    <header class="top">
      <Link href={me ? '/' : '/signin'} class="brand">
        Gallery
      </Link>
      {me && showNav && (
        <nav aria-label="Main">
          <Link href="/">Galleries</Link>
          <Link href="/search">Search</Link>
          {can(me, 'image:delete') && <Link href="/trash">Trash</Link>}
          <Link href="/tokens">Access tokens</Link>
          {can(me, 'user:manage') && <Link href="/admin">Admin</Link>}
          <span class="who">
            {me.username} <span class="muted">({me.roleLabel ?? 'no role'})</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      )}
    </header>
  );
}
