import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

import type { Database, Transaction } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { badRequest, conflict, notFound } from '../../shared/errors';
import type { AuditLog } from '../audit';
import type { AttemptThrottle } from './attempt-throttle';
import { CHALLENGE_TTL_MS, challengeOf, type RelyingParty } from './passkey-challenge';
import { createPasskeySignIn, type IssueToken, type ResolveToken } from './passkey-sign-in';
import * as repo from './passkeys.repository';
import type { PasswordCheck } from './password-check';

/** At most this many passkeys per account. */
export const PASSKEY_LIMIT = 10;
type PasskeyDeps = {
  db: Database;
  audit: AuditLog;
  throttle: AttemptThrottle;
  checkPassword: PasswordCheck;
  issueToken: IssueToken;
  resolveToken: ResolveToken;
};

const transportsOf = (stored: string) => (stored ? (stored.split(',') as AuthenticatorTransportFuture[]) : undefined);

/** Adding a passkey: waits for the account's other additions (a row lock), then counts: never more than the limit. */
async function insertWithinLimit(tx: Transaction, data: repo.NewPasskey) {
  await tx.$executeRaw`UPDATE "User" SET "id" = "id" WHERE "id" = ${data.userId}`;
  if ((await repo.countPasskeys(tx, data.userId)) >= PASSKEY_LIMIT) throw full();
  if (await tx.passkey.findUnique({ where: { credentialId: data.credentialId }, select: { id: true } }))
    throw conflict('This passkey is already registered.');
  return repo.insertPasskey(tx, data);
}

const full = () => conflict(`An account has at most ${PASSKEY_LIMIT} passkeys: remove one first.`);

/**
 * Passkeys (WebAuthn credentials, through @simplewebauthn/server): adding one (the password asked
 * for again, as for two-factor sign-in), listing, renaming, removing, and signing in with one
 * (passkey-sign-in.ts). Every challenge is stored until it is used once or expires (any node
 * checks it), and taken by one conditional DELETE: of parallel answers to one challenge at most
 * one goes on.
 */
export function createPasskeys(deps: PasskeyDeps) {
  const { db, audit, checkPassword } = deps;
  const event = (action: string, actor: Actor, id: number, detail?: string) => ({
    action,
    actor,
    target: { type: 'passkey', id },
    address: actor.address,
    ...(detail ? { detail } : {}),
  });

  /** Options for the browser's `navigator.credentials.create()`, after the password. */
  async function registrationOptions(actor: Actor, password: string, rp: RelyingParty) {
    await checkPassword(actor, password, { action: 'passkey.add', field: 'password' });
    if ((await repo.countPasskeys(db, actor.id)) >= PASSKEY_LIMIT) throw full();
    const existing = await repo.credentialIdsOf(db, actor.id);
    const options = await generateRegistrationOptions({
      rpName: 'Gallery Server',
      rpID: rp.rpID,
      userName: actor.username,
      userDisplayName: actor.username,
      userID: new TextEncoder().encode(`user:${actor.id}`),
      attestationType: 'none',
      timeout: CHALLENGE_TTL_MS,
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    const expiresAt = new Date(Date.now() + CHALLENGE_TTL_MS);
    await repo.saveChallenge(db, { challenge: options.challenge, purpose: 'register', userId: actor.id, expiresAt });
    return options;
  }

  /** The browser's answer to `registrationOptions`: checked, then kept under `name`. */
  async function register(actor: Actor, name: string, response: RegistrationResponseJSON, rp: RelyingParty) {
    if ((await repo.countPasskeys(db, actor.id)) >= PASSKEY_LIMIT) throw full();
    const challenge = challengeOf(response.response.clientDataJSON);
    const taken = challenge
      ? await repo.takeChallenge(db, { challenge, purpose: 'register', userId: actor.id }, new Date())
      : { count: 0 };
    if (taken.count !== 1) throw stale();
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge ?? '',
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
    }).catch((error: unknown) => {
      throw refusedAnswer(error);
    });
    if (!verified.verified) throw refusedAnswer(null);
    const { credential } = verified.registrationInfo;
    const data = {
      userId: actor.id,
      credentialId: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: (credential.transports ?? []).join(','),
      name,
    };
    return audit.withEvent(
      (tx) => insertWithinLimit(tx, data),
      (made) => event('passkey.add', actor, made.id),
    );
  }

  async function rename(actor: Actor, id: number, name: string) {
    await audit.withEvent(
      async (tx) => {
        const { count } = await repo.renamePasskey(tx, actor.id, id, name);
        if (count === 0) throw notFound('Passkey not found');
      },
      () => event('passkey.rename', actor, id),
    );
    const passkey = await repo.findOwnPasskey(db, actor.id, id);
    if (!passkey) throw notFound('Passkey not found');
    return passkey;
  }

  async function remove(actor: Actor, id: number) {
    await audit.withEvent(
      async (tx) => {
        const { count } = await repo.deletePasskey(tx, actor.id, id);
        if (count === 0) throw notFound('Passkey not found');
      },
      () => event('passkey.remove', actor, id),
    );
  }

  return {
    list: (actor: Actor) => repo.listPasskeys(db, actor.id),
    registrationOptions,
    register,
    rename,
    remove,
    ...createPasskeySignIn(deps),
  };
}

const stale = () =>
  badRequest('response: The challenge is unknown, already used or expired: ask for new options and try again.', [
    { path: 'response', message: 'The challenge is unknown, already used or expired.' },
  ]);

function refusedAnswer(error: unknown) {
  const why = error instanceof Error ? error.message.slice(0, 300) : 'it could not be verified';
  return badRequest(`response: The passkey's answer was not accepted: ${why}`, [
    { path: 'response', message: `The passkey's answer was not accepted: ${why}` },
  ]);
}

export type Passkeys = ReturnType<typeof createPasskeys>;
