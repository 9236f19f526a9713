import { randomUUID } from 'node:crypto';

import type { AttemptLimits, Reservation } from '../../platform/db/attempt-counts';
import { addressGroup } from '../../shared/address-group';
import { AppError } from '../../shared/errors';

/** The limits of the configuration (LOGIN_*): one for secrets, one for addresses. */
export type ThrottlePolicy = {
  /** Failures allowed on a secret (an account's password, a link's) in a window before it is locked. */
  maxFailures: number;
  /** The same for a client address, which many people may share. */
  addressMaxFailures: number;
  windowMs: number;
  /** First lock; each further failure while over the limit doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
};

/** Where attempts are counted: the database, so that several server processes share the counts. */
export interface AttemptStore {
  reserve(key: string, limits: AttemptLimits, now: number, attemptId: string): Promise<Reservation | null>;
  giveBack(reservation: Reservation): Promise<void>;
  clear(key: string): Promise<void>;
  lockedUntil(keys: string[]): Promise<number>;
}

/**
 * What one attempt counts against. `secret`: what is guessed at — an account's password
 * (`user:<name>`), a share link's (`share:link:<id>`) — up to `maxFailures`; `address`: who is
 * guessing, up to `addressMaxFailures`, across secrets.
 */
export type AttemptKeys = { secret?: string; address?: string };

/** An attempt holding a slot on each of its keys, until it is known to be right or wrong. */
export type Attempt = {
  /**
   * It was right (or was no guess after all): its slots are given back, so that right attempts
   * never use up the limit. `clearSecret`: the secret's owner proved who they are (a login, a
   * password check), so the secret's earlier failures are forgotten too; a share link's password
   * is known to many, and one visitor's success does not forgive another's failures.
   */
  succeeded(options?: { clearSecret?: boolean }): Promise<void>;
  /** It was wrong: its slots stay taken, they are its failure. */
  failed(): Promise<void>;
};

export const accountKey = (username: string) => `user:${username.toLowerCase()}`;
/** An address's key: its group (an IPv6 address's /64 network, see `addressGroup`). */
export const addressKey = (address: string | null) => `ip:${addressGroup(address)}`;

/**
 * Throttling of attempts at a secret (login, browser sign-in, a share link's password, the current
 * password before a change; later one-time codes), per secret and per client address. An attempt
 * is counted *before* its secret is compared (`reserve`): parallel attempts cannot all pass a check
 * made before any of them is recorded, and with a limit of N at most N comparisons ever run in a
 * window, however many requests arrive at once; the rest get 429 without any bcrypt work. Past
 * the limit the key is locked and every attempt — even with the right secret — gets 429 with
 * Retry-After until the lock ends; each further failure doubles the lock, up to `maxLockMs`.
 */
export function createAttemptThrottle(
  store: AttemptStore,
  policy: ThrottlePolicy,
  clock: () => number = () => Date.now(),
) {
  const shared = { windowMs: policy.windowMs, lockMs: policy.lockMs, maxLockMs: policy.maxLockMs };
  const secretLimits: AttemptLimits = { ...shared, maxAttempts: policy.maxFailures };
  const addressLimits: AttemptLimits = { ...shared, maxAttempts: policy.addressMaxFailures };

  const entries = (keys: AttemptKeys) => [
    ...(keys.secret === undefined ? [] : [{ key: keys.secret, limits: secretLimits, isSecret: true }]),
    ...(keys.address === undefined ? [] : [{ key: keys.address, limits: addressLimits, isSecret: false }]),
  ];

  /** The 429, with the seconds until the lock ends (at least one). */
  function tooMany(lockedUntil: number, now: number): AppError {
    const seconds = Math.max(1, Math.ceil((lockedUntil - now) / 1000));
    return new AppError('TOO_MANY_REQUESTS', `Too many failed attempts. Try again in ${seconds} seconds.`, {
      headers: { 'Retry-After': String(seconds) },
    });
  }

  return {
    /**
     * Forgets a secret's failures and lock, outside any attempt: its owner proved who they are
     * another way (a password reset through the account's email). Only a secret's key: a client
     * address's count is never forgiven this way.
     */
    async forgetSecret(secret: string): Promise<void> {
      await store.clear(secret);
    },

    /**
     * Throws 429 when any of the keys is locked; takes no slot. For the ways in that compare no
     * secret (a password remembered as right, a missing one, a lookup of a random key).
     */
    async check(keys: AttemptKeys): Promise<void> {
      const now = clock();
      const until = await store.lockedUntil(entries(keys).map((entry) => entry.key));
      if (until > now) throw tooMany(until, now);
    },

    /**
     * Takes a slot on each key, in one atomic statement per key, or throws 429 (and takes none)
     * when any of them is locked. Compare the secret only after this, then settle the attempt.
     */
    async reserve(keys: AttemptKeys): Promise<Attempt> {
      const now = clock();
      const attemptId = randomUUID();
      const taken: { reservation: Reservation; isSecret: boolean }[] = [];
      const giveBackTaken = () => Promise.all(taken.map(({ reservation }) => store.giveBack(reservation)));
      for (const { key, limits, isSecret } of entries(keys)) {
        const reservation = await store.reserve(key, limits, now, attemptId).catch(async (error: unknown) => {
          await giveBackTaken().catch(() => undefined);
          throw error;
        });
        if (!reservation) {
          await giveBackTaken();
          throw tooMany(await store.lockedUntil(entries(keys).map((entry) => entry.key)), now);
        }
        taken.push({ reservation, isSecret });
      }

      let settled = false;
      return {
        async succeeded({ clearSecret = false } = {}) {
          if (settled) return;
          settled = true;
          for (const { reservation, isSecret } of taken) {
            if (isSecret && clearSecret) await store.clear(reservation.key);
            else await store.giveBack(reservation);
          }
        },
        failed() {
          settled = true;
          return Promise.resolve();
        },
      };
    },
  };
}

export type AttemptThrottle = ReturnType<typeof createAttemptThrottle>;
