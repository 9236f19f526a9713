// Who is signed in: GET /api/auth/me with the session cookie; null when no one is.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, type Me } from './api/client';

type Session = {
  me: Me | null;
  loading: boolean;
  refresh: () => Promise<Me | null>;
  setMe: (me: Me | null) => void;
};

const SessionContext = createContext<Session>({ me: null, loading: true, refresh: () => Promise.resolve(null), setMe: () => {} });

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    const { data } = await api.GET('/api/auth/me');
    setMe(data ?? null);
    setLoading(false);
    return data ?? null;
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return <SessionContext.Provider value={{ me, loading, refresh, setMe }}>{children}</SessionContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
