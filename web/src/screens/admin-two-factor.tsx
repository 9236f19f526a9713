// The admin's users list: whether each user has two-factor sign-in on, and its reset (a lost
// phone) after a confirm step. The reset turns the second factor off and removes the passkeys; the user signs in with the
// password alone and may turn it on again from their Security screen.
import { useEffect, useRef } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import type { Notice } from '../components/alert';
import type { Question } from '../components/confirm';

type Resettable = { id: number; username: string; twoFactor: boolean };

/**
 * "On" with its reset button, or "Off". When a reset takes the focused button away, focus stays
 * in the row, on the state that replaced it, rather than falling back to the top of the page.
 */
export function TwoFactorCell({ user, onReset }: { user: Resettable; onReset: () => void }) {
  const state = useRef<HTMLSpanElement>(null);
  const wasOn = useRef(user.twoFactor);
  useEffect(() => {
    if (wasOn.current && !user.twoFactor && document.activeElement === document.body) state.current?.focus();
    wasOn.current = user.twoFactor;
  }, [user.twoFactor]);
  return (
    <td data-label="Two-factor">
      <span ref={state} tabIndex={-1}>
        {user.twoFactor ? 'On' : 'Off'}
      </span>
      {user.twoFactor && (
        <>
          {' '}
          <button type="button" onClick={onReset}>
            Reset two-factor <span class="visually-hidden">of {user.username}</span>
          </button>
        </>
      )}
    </td>
  );
}

type ResetDeps<User extends Resettable> = {
  ask: (question: Question) => Promise<boolean>;
  setItems: (update: (all: User[]) => User[]) => void;
  setNotice: (notice: Notice) => void;
};

/** Asks, then turns the user's second factor off and shows the row as off. */
export async function resetTwoFactor<User extends Resettable>(user: User, deps: ResetDeps<User>) {
  const yes = await deps.ask({
    title: `Reset two-factor sign-in of ${user.username}?`,
    detail: `Their authenticator app, recovery codes and passkeys stop working: ${user.username} signs in with the password alone until they turn two-factor sign-in on again.`,
    action: 'Reset two-factor',
    danger: true,
  });
  if (!yes) return;
  const { data, error } = await api.DELETE('/api/admin/users/{id}/2fa', { params: { path: { id: user.id } } });
  if (!data) return deps.setNotice({ text: messageOf(error, 'Could not reset.'), error: true });
  deps.setItems((all) => all.map((u) => (u.id === user.id ? { ...u, twoFactor: false } : u)));
  const passkeys = data.passkeysRemoved ? ` ${data.passkeysRemoved} passkeys removed.` : '';
  deps.setNotice({ text: `Two-factor sign-in of ${user.username} reset.${passkeys}`, error: false });
}
