import { useEffect, useRef } from 'preact/hooks';
import { api, can } from './api/client';
import { Link, match, navigate, usePath } from './router';
import { SessionProvider, useSession } from './session';
import { SignIn, Register } from './screens/auth';
import { Galleries } from './screens/galleries';
import { GalleryScreen } from './screens/gallery';
import { GallerySettings } from './screens/gallery-settings';
import { Tokens } from './screens/tokens';
import { Admin } from './screens/admin';
import { SharedGallery } from './screens/shared';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const path = usePath();
  const { me, loading, setMe } = useSession();
  const main = useRef<HTMLElement>(null);
  const previous = useRef<string | null>(null);

  // After a navigation, move focus to the new screen (not on the first load, and not when the
  // viewer opens, moves or closes: it manages focus itself).
  useEffect(() => {
    const before = previous.current;
    previous.current = path;
    if (before === null || before.includes('/images/') || path.includes('/images/')) return;
    main.current?.focus();
  }, [path]);

  const share = match('/share/:key', path);
  const isPublic = path === '/signin' || path === '/register';
  useEffect(() => {
    if (!loading && !me && !isPublic && !share) navigate(`/signin`, { replace: true });
    if (!loading && me && isPublic) navigate('/', { replace: true });
  }, [loading, me, isPublic, share]);

  const signOut = async () => {
    await api.DELETE('/api/auth/session');
    setMe(null);
    navigate('/signin');
  };

  let screen;
  if (share) screen = <SharedGallery shareKey={share.key} />;
  else if (loading) screen = <p class="muted" role="status">Loading…</p>;
  else if (path === '/signin') screen = <SignIn />;
  else if (path === '/register') screen = <Register />;
  else if (!me) screen = null;
  else if (path === '/' || path === '/galleries') screen = <Galleries />;
  else if (path === '/tokens') screen = <Tokens />;
  else if (path === '/admin' && can(me, 'user:manage')) screen = <Admin />;
  else {
    const settings = match('/galleries/:id/settings', path);
    const gallery = match('/galleries/:id', path) ?? match('/galleries/:id/images/:imageId', path);
    if (settings) screen = <GallerySettings galleryId={Number(settings.id)} />;
    else if (gallery) screen = <GalleryScreen galleryId={Number(gallery.id)} imageId={gallery.imageId ? Number(gallery.imageId) : null} />;
    else screen = <NotFound />;
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={me ? '/' : '/signin'} class="brand">
          Gallery
        </Link>
        {me && !share && (
          <nav aria-label="Main">
            <Link href="/">Galleries</Link>
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
      <main id="main" ref={main} tabIndex={-1}>
        {screen}
      </main>
    </>
  );
}

function NotFound() {
  useEffect(() => {
    document.title = 'Not found · Gallery';
  }, []);
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is nothing here. <Link href="/">Back to the galleries</Link>
      </p>
    </section>
  );
}
