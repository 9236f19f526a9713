import type { ChangeFeed } from '../../platform/db/notifications';
import type { TokenWithUser } from './auth.repository';

/** The channel the database's triggers notify on a change of a user or a token (payload: the user id, or `*`). */
export const AUTH_CHANNEL = 'gallery_auth';
/** How long an entry is trusted at most, whatever the notifications say. */
const TTL_MS = 30_000;
const MAX_ENTRIES = 20_000;

type Entry = { row: TokenWithUser; at: number };

/**
 * Tokens and their users as the last lookup found them, per process, so that a request needs no
 * query to know who sent it. On PostgreSQL every change of a user, a token or a role — by this
 * process, another node, Prisma Studio or plain SQL — reaches every process as a notification when
 * it commits (triggers on those tables), and drops that user's entries; while the feed is down,
 * nothing is served from the cache, and everything in it is dropped when it comes back. On SQLite
 * the database's data version is read on every use: any commit by another connection (this
 * process's ORM included) drops everything. Changes made by this process are also dropped at once
 * (`forgetUser`), without waiting for their notification.
 */
export function createTokenCache(changes: ChangeFeed, clock: () => number = Date.now) {
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation: a lookup that started before one is not kept.
  let generation = 0;
  let version: number | undefined;

  const clear = () => {
    generation += 1;
    entries.clear();
  };
  const forgetUser = (userId: number) => {
    generation += 1;
    for (const [hash, entry] of entries) if (entry.row.user.id === userId) entries.delete(hash);
  };

  const listening = changes
    .listen(AUTH_CHANNEL, {
      onMessage: (payload) => {
        const userId = Number(payload);
        if (Number.isSafeInteger(userId)) forgetUser(userId);
        else clear();
      },
      onGap: clear,
    })
    .catch(() => undefined);

  return {
    /** Resolves once the cache listens (tests wait for it). */
    ready: () => listening,
    /** A fresh entry for this token hash, when the feed is live. */
    get(hash: string): TokenWithUser | undefined {
      if (!changes.live) return undefined;
      if (changes.version) {
        const now = changes.version();
        if (now !== version) {
          version = now;
          clear();
          return undefined;
        }
      }
      const entry = entries.get(hash);
      if (!entry) return undefined;
      if (clock() - entry.at > TTL_MS) {
        entries.delete(hash);
        return undefined;
      }
      return entry.row;
    },
    /** Taken before a lookup; `set` keeps its result only if nothing was invalidated since. */
    generation: () => generation,
    set(hash: string, row: TokenWithUser, lookupStartedAt: number) {
      if (!changes.live || lookupStartedAt !== generation) return;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(hash, { row, at: clock() });
    },
    /** The token was just noted as used (its lastUsedAt written). */
    touched(hash: string, at: Date) {
      const entry = entries.get(hash);
      if (entry) entry.row = { ...entry.row, lastUsedAt: at };
    },
    forgetUser,
  };
}

export type TokenCache = ReturnType<typeof createTokenCache>;
