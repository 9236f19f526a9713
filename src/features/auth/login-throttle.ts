import { AppError } from '../../shared/errors';

export type ThrottlePolicy = {
  /** Failures allowed in a window before the key is locked. */
  maxFailures: number;
  /** The same for a client address, which many people may share. */
  addressMaxFailures: number;
  windowMs: number;
  /** First lock; each further failure while over the limit doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
};

export type ThrottleState = { failures: number; windowStartedAt: Date; lockedUntil: Date | null };

/** Where failure counts live: the database, so that several server processes share them. */
export interface ThrottleStore {
  get(key: string): Promise<ThrottleState | null>;
  put(key: string, state: ThrottleState): Promise<void>;
  clear(key: string): Promise<void>;
}

/** The state after one more failure at `now`. */
export function afterFailure(
  state: ThrottleState | null,
  now: Date,
  policy: Omit<ThrottlePolicy, 'addressMaxFailures'>,
): ThrottleState {
  const fresh = !state || now.getTime() - state.windowStartedAt.getTime() > policy.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  if (failures < policy.maxFailures) return { failures, windowStartedAt, lockedUntil: null };
  const lockMs = Math.min(policy.lockMs * 2 ** (failures - policy.maxFailures), policy.maxLockMs);
  return { failures, windowStartedAt, lockedUntil: new Date(now.getTime() + lockMs) };
}

/**
 * Failed-login throttling per account and per client address: past the limit, both are locked and
 * every attempt — even with the right password — gets 429 with Retry-After until the lock ends.
 */
export function createLoginThrottle(store: ThrottleStore, policy: ThrottlePolicy, clock: () => Date = () => new Date()) {
  const keysFor = (username: string, address: string) => [`user:${username.toLowerCase()}`, `ip:${address}`];

  /** Throws 429 when any of the keys is locked. */
  async function checkKeys(keys: string[]): Promise<void> {
    const now = clock();
    let until = 0;
    for (const key of keys) {
      const state = await store.get(key);
      if (state?.lockedUntil && state.lockedUntil > now) until = Math.max(until, state.lockedUntil.getTime());
    }
    if (until > 0) {
      const seconds = Math.ceil((until - now.getTime()) / 1000);
      throw new AppError('TOO_MANY_REQUESTS', `Too many failed attempts. Try again in ${seconds} seconds.`, {
        headers: { 'Retry-After': String(seconds) },
      });
    }
  }

  const addressPolicy = { ...policy, maxFailures: policy.addressMaxFailures };

  return {
    /** Throws 429 when the account or the address is locked. */
    check: (username: string, address: string) => checkKeys(keysFor(username, address)),
    /** Throws 429 when the address is locked (registration: no account is at stake yet). */
    checkAddress: (address: string) => checkKeys([`ip:${address}`]),
    /** A failed registration counts against the address only, never against someone's account. */
    async recordAddressFailure(address: string): Promise<void> {
      const key = `ip:${address}`;
      await store.put(key, afterFailure(await store.get(key), clock(), addressPolicy));
    },
    async recordFailure(username: string, address: string): Promise<void> {
      const now = clock();
      const [account, client] = keysFor(username, address);
      await store.put(account, afterFailure(await store.get(account), now, policy));
      await store.put(client, afterFailure(await store.get(client), now, addressPolicy));
    },
    /** A successful login clears the account's count; the address keeps its own. */
    async recordSuccess(username: string): Promise<void> {
      await store.clear(`user:${username.toLowerCase()}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
