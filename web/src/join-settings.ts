// What the server says of joining and recovering an account (GET /api/auth/settings): asked once
// per page load, by the screens that need it (sign in, register, a new gallery).
import { useEffect, useState } from 'preact/hooks';

import { api } from './api/client';

export type JoinSettings = {
  registration: 'open' | 'closed' | 'invite';
  passwordReset: boolean;
  defaultGalleryVisibility: 'shared' | 'private';
  /** Single sign-on, when set up: the label of its button. */
  sso: { label: string } | null;
};

let asked: Promise<JoinSettings | null> | null = null;

/** The settings, or null until they are known (or when they could not be read). */
export function useJoinSettings(): JoinSettings | null {
  const [settings, setSettings] = useState<JoinSettings | null>(null);
  useEffect(() => {
    asked ??= api.GET('/api/auth/settings').then(
      (reply) => reply.data ?? null,
      () => null,
    );
    void asked.then(setSettings);
  }, []);
  return settings;
}
