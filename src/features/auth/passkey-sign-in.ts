import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
} from '@simplewebauthn/server';

import type { Database } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import type { AuditLog } from '../audit';
import { addressKey, type AttemptThrottle } from './attempt-throttle';
import { CHALLENGE_TTL_MS, challengeOf, type RelyingParty } from './passkey-challenge';
import * as repo from './passkeys.repository';

export type IssueToken = (
  user: { id: number; username: string },
  address: string | null,
  kind: 'session' | 'browser',
) => Promise<{ token: string; expiresAt: Date }>;
export type ResolveToken = (token: string, address: string | null) => Promise<Actor | null>;

type SignInDeps = {
  db: Database;
  audit: AuditLog;
  throttle: AttemptThrottle;
  issueToken: IssueToken;
  resolveToken: ResolveToken;
};

type Found = NonNullable<Awaited<ReturnType<typeof repo.findByCredential>>>;

/** Why a passkey sign-in was refused: in the audit log, never in the reply (which says PASSKEY_INVALID). */
class Refused extends Error {}

/**
 * Signing in with a passkey (usernameless: the browser offers the passkeys it keeps for this
 * server, and the answer names its credential). A passkey is both factors at once (the device, and
 * the user verification it did), so no one-time code is asked for. Each attempt is counted per
 * address by the attempt throttle before anything is checked, and given back when it succeeds.
 */
export function createPasskeySignIn({ db, audit, throttle, issueToken, resolveToken }: SignInDeps) {
  /** Options for the browser's `navigator.credentials.get()`: a new challenge, no credentials named. */
  async function loginOptions(rp: RelyingParty) {
    const options = await generateAuthenticationOptions({
      rpID: rp.rpID,
      userVerification: 'required',
      timeout: CHALLENGE_TTL_MS,
    });
    const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
    await repo.saveChallenge(db, { challenge: options.challenge, purpose: 'login', userId: null, expiresAt });
    return options;
  }

  /** The passkey the answer is from, when the challenge was good and the answer checks out. */
  async function check(response: AuthenticationResponseJSON, rp: RelyingParty, address: string | null): Promise<Found> {
    const challenge = challengeOf(response.response.clientDataJSON);
    const taken = challenge
      ? await repo.takeChallenge(db, { challenge, purpose: 'login', userId: null }, new Date())
      : { count: 0 };
    if (taken.count !== 1) throw new Refused('challenge unknown, used or expired');
    const found = await repo.findByCredential(db, response.id);
    if (!found || !found.user.isActive) throw new Refused('unknown passkey');
    const handle = response.response.userHandle;
    if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== `user:${found.userId}`)
      throw new Refused('the user handle is not the passkey owner');
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge ?? '',
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
      credential: {
        id: found.credentialId,
        publicKey: new Uint8Array(found.publicKey),
        counter: Number(found.counter),
        transports: found.transports ? (found.transports.split(',') as AuthenticatorTransportFuture[]) : undefined,
      },
    }).catch((error: unknown) => {
      throw new Refused(error instanceof Error ? error.message.slice(0, 200) : 'not verified');
    });
    if (!verified.verified) throw new Refused('not verified');
    const { newCounter } = verified.authenticationInfo;
    await audit.withEvent(
      async (tx) => {
        const { count } = await repo.advanceCounter(tx, found.id, found.counter, newCounter, new Date());
        if (count === 0) throw new Refused('the counter moved meanwhile (a cloned passkey?)');
      },
      () => ({ action: 'passkey.login', actor: found.user, target: { type: 'passkey', id: found.id }, address }),
    );
    return found;
  }

  /** A sign-in with a passkey: a new token (`browser`: the web app's cookie session), as a password sign-in gives. */
  async function signInWithPasskey(
    response: AuthenticationResponseJSON,
    rp: RelyingParty,
    address: string | null,
    kind: 'session' | 'browser',
  ) {
    const attempt = await throttle.reserve({ address: addressKey(address) });
    let found: Found;
    try {
      found = await check(response, rp, address);
    } catch (error) {
      await attempt.failed();
      if (!(error instanceof Refused)) throw error;
      await audit.record({ action: 'passkey.login', outcome: 'failed', detail: error.message, address });
      throw new AppError('PASSKEY_INVALID');
    }
    await attempt.succeeded();
    const { token, expiresAt } = await issueToken(found.user, address, kind);
    const actor = await resolveToken(token, address);
    if (!actor) throw new AppError('INVALID_TOKEN');
    return { token, expiresAt, actor };
  }

  return { loginOptions, signInWithPasskey };
}
