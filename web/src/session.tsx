// Who is signed in: GET /api/auth/me with the session cookie; null when no one is (401). Any other
// failure (the server cannot be reached) is the session's `error`: the shell shows it rather than
// sending the user to a sign-in that could not work either.
//
// What the user may do can change while the app is open (an admin gives them another role, or ends
// their sessions), so the app asks again, quietly: when the window gets focus back or is shown
// again, after each move to another screen (`refresh`, called by the shell), and after any reply
// that refuses with 403. At most one question a second; a changed answer updates every control
// that depends on it (the "New gallery" button appears without a reload), a 401 signs out.
import type { Middleware } from 'openapi-fetch';
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef } from 'preact/hooks';

import { api, type Me } from './api/client';
import { useData, type LoadError } from './data';

export type Session = {
  me: Me | null;
  loading: boolean;
  error: LoadError | null;
  setMe: (me: Me | null) => void;
  /** Asks the server again who is signed in; what changed is shown at once. */
  refresh: () => void;
};

const SessionContext = createContext<Session>({
  me: null,
  loading: true,
  error: null,
  setMe: () => {},
  refresh: () => {},
});

/** The least time between two questions: focus and visibility come together, a screen may follow. */
const SPACING_MS = 1000;

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const { data, loading, error, setData } = useData((signal) => api.GET('/api/auth/me', { signal }), []);
  const me = data ?? null;
  const setMe = useCallback((next: Me | null) => setData(() => next ?? undefined), [setData]);
  const refresh = useFreshSession(me, setMe);
  const failure = !me && error && error.status !== 401 ? error : null;
  return (
    <SessionContext.Provider value={{ me, loading, error: failure, setMe, refresh }}>
      {children}
    </SessionContext.Provider>
  );
}

export const useSession = () => useContext(SessionContext);

/** Keeps `me` current while someone is signed in; gives the `refresh` the shell calls on navigation. */
function useFreshSession(me: Me | null, setMe: (me: Me | null) => void): () => void {
  const current = useRef(me);
  current.current = me;
  const asker = useMemo(() => sessionAsker(() => current.current, setMe), [setMe]);

  useEffect(() => {
    const { refresh } = asker;
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    // A refusal may mean that the role changed: a sign-in's own refusals say nothing of that.
    const refused: Middleware = {
      onResponse({ request, response }) {
        if (response.status === 403 && !request.url.includes('/api/auth/')) refresh();
        return undefined;
      },
    };
    addEventListener('focus', refresh);
    document.addEventListener('visibilitychange', onVisible);
    api.use(refused);
    return () => {
      removeEventListener('focus', refresh);
      document.removeEventListener('visibilitychange', onVisible);
      api.eject(refused);
      asker.stop();
    };
  }, [asker]);

  return asker.refresh;
}

/**
 * `refresh` asks GET /api/auth/me again: one question at a time, at most one a second (a call in
 * between waits for its turn), and one more when a call comes while a question is on its way (a
 * change may have been made after the server answered it). Nothing is asked while signed out.
 */
function sessionAsker(signedIn: () => Me | null, setMe: (me: Me | null) => void) {
  let busy = false;
  let again = false;
  let last = Date.now();
  let timer = 0;

  const ask = async () => {
    busy = true;
    try {
      const { data, response } = await api.GET('/api/auth/me');
      const before = signedIn();
      // Signed out meanwhile (on this page): nothing to update.
      if (!before) return;
      if (data && JSON.stringify(data) !== JSON.stringify(before)) setMe(data);
      else if (!data && response.status === 401) setMe(null);
    } catch {
      // No answer (offline): what is known stays; the screens say that the server cannot be reached.
    } finally {
      busy = false;
      last = Date.now();
      if (again) {
        again = false;
        refresh();
      }
    }
  };

  const refresh = () => {
    if (!signedIn() || timer) return;
    if (busy) {
      again = true;
      return;
    }
    const wait = last + SPACING_MS - Date.now();
    if (wait <= 0) return void ask();
    timer = window.setTimeout(() => {
      timer = 0;
      refresh();
    }, wait);
  };

  return { refresh, stop: () => clearTimeout(timer) };
}
