// Signing in with a passkey, loaded when "Sign in with a passkey" is pressed (the first load goes
// without it and without @simplewebauthn/browser): options from the server, the browser's
// navigator.credentials.get() (it offers the passkeys it keeps for this site), then the session.
import {
  startAuthentication,
  WebAuthnError,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

import { api, messageOf, type Me } from './api/client';
import { navigate } from './router';

/** The sign-in screen's: who is signed in now, and what to say when it did not work. */
export type SignInState = { setMe: (me: Me) => void; setError: (text: string | null) => void };

/** What went wrong with the browser's part, in words. */
export function webAuthnFailure(error: unknown): string {
  const name = error instanceof WebAuthnError ? (error.cause as Error | undefined)?.name : (error as Error)?.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return 'The passkey was not used (cancelled or timed out).';
  if (name === 'InvalidStateError') return 'This device already has a passkey for your account.';
  return messageOf(error, 'The browser could not use a passkey.');
}

export async function signInWithPasskey({ setMe, setError }: SignInState) {
  setError(null);
  const options = await api.POST('/api/auth/passkeys/login/options');
  if (!options.data) return setError(messageOf(options.error, 'Could not begin.'));
  let response: AuthenticationResponseJSON;
  try {
    const optionsJSON = options.data.options as unknown as PublicKeyCredentialRequestOptionsJSON;
    response = await startAuthentication({ optionsJSON });
  } catch (error) {
    return setError(webAuthnFailure(error));
  }
  const { data, error } = await api.POST('/api/auth/passkeys/session', {
    body: { response: { ...response, response: { ...response.response }, clientExtensionResults: {} } },
  });
  if (!data) return setError(messageOf(error, 'That passkey did not sign you in.'));
  setMe(data.user);
  navigate('/');
}
