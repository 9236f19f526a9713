import { createHash, randomBytes } from 'node:crypto';

/**
 * A link key: `share_` and 24 random bytes as URL-safe text (38 characters). The prefix tells a key
 * from an API token at a glance, and the length and the underscore after `share` keep it from ever
 * having a token's shape (43 URL-safe characters): sent as `Authorization: Token <key>` it is
 * refused as malformed before any lookup.
 */
export const KEY_PREFIX = 'share_';
const KEY_SHAPE = /^share_[A-Za-z0-9_-]{32}$/;
/** How much of a key is kept in clear, to tell links apart in lists. */
const SHOWN_CHARACTERS = 12;

export function generateKey(): { key: string; keyHash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  return { key, keyHash: hashKey(key), prefix: key.slice(0, SHOWN_CHARACTERS) };
}

/** Stored as SHA-256, as tokens are: a key has 192 random bits, a slow hash would add nothing. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether a value could be one of our keys at all (anything else is not looked up). */
export function looksLikeKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/**
 * Passwords that were right recently, per link, kept in this process only: a password link's page
 * of thumbnails is tens of requests, and bcrypt on each would cost a quarter second apiece. Holds
 * the SHA-256 of the password, never the password; entries end after `ttlMs`.
 */
export function createPasswordMemory(ttlMs = 10 * 60_000, maxEntries = 10_000) {
  const remembered = new Map<string, number>();
  const comparing = new Map<string, Promise<boolean>>();
  const entry = (linkId: number, password: string) =>
    `${linkId}:${createHash('sha256').update(password).digest('base64url')}`;
  return {
    knows(linkId: number, password: string, now = Date.now()): boolean {
      const key = entry(linkId, password);
      const until = remembered.get(key);
      if (until === undefined) return false;
      if (until > now) return true;
      remembered.delete(key);
      return false;
    },
    remember(linkId: number, password: string, now = Date.now()): void {
      if (remembered.size >= maxEntries) remembered.delete(remembered.keys().next().value!);
      remembered.set(entry(linkId, password), now + ttlMs);
    },
    /**
     * Whether the password is right, by `compare`, run once at a time per link, password and
     * `visitor`: the requests that ask while it runs (a page's files, asked for together from
     * another process than the page) share its answer and its one counted attempt.
     */
    compareOnce(linkId: number, password: string, visitor: string, compare: () => Promise<boolean>): Promise<boolean> {
      const key = `${visitor} ${entry(linkId, password)}`;
      let answer = comparing.get(key);
      if (!answer) {
        answer = compare().finally(() => comparing.delete(key));
        comparing.set(key, answer);
      }
      return answer;
    },
  };
}
