// The one way a screen loads what it shows: `useData` runs an API call when the screen opens and
// again when what it depends on changes, and keeps only the newest answer. A call made for a
// gallery the user has already left is aborted, so its late reply can never overwrite the gallery
// now on screen.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { messageOf } from './api/client';

/** What openapi-fetch answers: `data` on success, else the server's `error` body. */
export type Reply<T> = { data?: T; error?: unknown; response: Response };

/** A load that failed: the sentence to show (with ErrorText), and the HTTP status (0: no answer). */
export type LoadError = { message: string; status: number };

export type Loaded<T> = {
  /** Undefined until the first answer, and again once `deps` change (another subject). */
  data: T | undefined;
  /** A call is on its way (the first one, a reload, or `extend`). */
  loading: boolean;
  /** Why the last call failed; null once one succeeds. */
  error: LoadError | null;
  /** Asks again for the same thing; what is shown stays until the new answer comes (and stays, with `error`, when it fails). */
  reload: () => void;
  /** Changes what is shown after a write, without asking the server. */
  setData: (update: (before: T | undefined) => T | undefined) => void;
  /**
   * Adds a further call's answer to the data (the next page of a list): one at a time, and
   * cancelled with the load it extends.
   */
  extend: <U>(load: (signal: AbortSignal) => Promise<Reply<U>>, merge: (before: T, more: U) => T) => void;
};

type Options = {
  /** The sentence when the server refuses without one. */
  errorText?: string;
};

/** Shown when the request never got an answer (offline, server down). */
const UNREACHABLE = 'The server could not be reached. Check your connection and try again.';

type Settled<T> = { ok: true; data: T } | { ok: false; error: LoadError };

/** Waits for a call and says how it ended; null when it was aborted (nobody wants the answer). */
async function settle<T>(call: Promise<Reply<T>>, signal: AbortSignal, errorText?: string): Promise<Settled<T> | null> {
  try {
    const reply = await call;
    if (signal.aborted) return null;
    if (reply.data !== undefined) return { ok: true, data: reply.data };
    return { ok: false, error: { message: messageOf(reply.error, errorText), status: reply.response.status } };
  } catch {
    return signal.aborted ? null : { ok: false, error: { message: UNREACHABLE, status: 0 } };
  }
}

type State<T> = { data: T | undefined; loading: boolean; error: LoadError | null };

/**
 * Loads what `load` asks for, again whenever one of `deps` changes. `load` gets the signal to pass
 * to the API call; it may return null when there is nothing to load (yet).
 */
export function useData<T>(
  load: (signal: AbortSignal) => Promise<Reply<T>> | null,
  deps: unknown[],
  { errorText }: Options = {},
): Loaded<T> {
  const [state, setState] = useState<State<T>>({ data: undefined, loading: true, error: null });
  const [round, setRound] = useState(0);
  // The newest `load` (it sees the screen's current state), and the scope of the current load.
  const latest = useRef(load);
  latest.current = load;
  const scope = useRef<AbortController | null>(null);
  const extending = useRef(false);

  // Another subject: what was shown belongs to the previous one.
  useEffect(
    () =>
      setState((before) =>
        before.data === undefined && !before.error ? before : { data: undefined, loading: true, error: null },
      ),
    deps,
  );

  useEffect(() => {
    const controller = new AbortController();
    scope.current = controller;
    extending.current = false;
    const call = latest.current(controller.signal);
    if (!call) {
      setState((before) => ({ ...before, loading: false }));
      return () => controller.abort();
    }
    setState((before) => (before.loading ? before : { ...before, loading: true }));
    void settle(call, controller.signal, errorText).then((result) => {
      if (!result) return;
      setState((before) =>
        result.ok
          ? { data: result.data, loading: false, error: null }
          : { ...before, loading: false, error: result.error },
      );
    });
    return () => controller.abort();
  }, [...deps, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  const setData = useCallback(
    (update: (before: T | undefined) => T | undefined) =>
      setState((before) => ({ ...before, data: update(before.data) })),
    [],
  );
  const extend = useCallback(
    <U>(more: (signal: AbortSignal) => Promise<Reply<U>>, merge: (before: T, extra: U) => T) => {
      const controller = scope.current;
      if (!controller || extending.current) return;
      extending.current = true;
      setState((before) => ({ ...before, loading: true }));
      void settle(more(controller.signal), controller.signal, errorText).then((result) => {
        if (!result) return;
        extending.current = false;
        setState((before) => {
          if (!result.ok) return { ...before, loading: false, error: result.error };
          return {
            data: before.data === undefined ? before.data : merge(before.data, result.data),
            loading: false,
            error: null,
          };
        });
      });
    },
    [],
  );

  return { ...state, reload, setData, extend };
}
