// Who is signed in: GET /api/auth/me with the session cookie; null when no one is (401). Any other
// failure (the server cannot be reached) is the session's `error`: the shell shows it rather than
// sending the user to a sign-in that could not work either.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext } from 'preact/hooks';

import { api, type Me } from './api/client';
import { useData, type LoadError } from './data';

export type Session = {
  me: Me | null;
  loading: boolean;
  error: LoadError | null;
  setMe: (me: Me | null) => void;
};

const SessionContext = createContext<Session>({ me: null, loading: true, error: null, setMe: () => {} });

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const { data, loading, error, setData } = useData((signal) => api.GET('/api/auth/me', { signal }), []);
  const me = data ?? null;
  const setMe = useCallback((next: Me | null) => setData(() => next ?? undefined), [setData]);
  const failure = !me && error && error.status !== 401 ? error : null;
  return <SessionContext.Provider value={{ me, loading, error: failure, setMe }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
