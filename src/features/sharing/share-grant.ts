import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A browser let into a password link keeps a grant, not the password: an HttpOnly cookie that the
 * right password earns on the link's page, sent back by the browser with the link's requests only
 * (its `Path` is the link's), so that a reload or the page's files need no password again.
 *
 * The grant is `<linkId>.<expiry>.<mac>`: an HMAC-SHA256 of the link's id and the expiry, keyed
 * with the link's bcrypt hash (a secret that never leaves the server, random salt included). So it
 * cannot be made without the server, is good for one link only, ends at `expiry` (12 hours, and
 * never after the link's own expiry), and it says nothing about the password. It is a session
 * cookie: the browser forgets it when it closes.
 */
export const GRANT_COOKIE = 'gallery_share';
const LIFETIME_SECONDS = 12 * 3600;
const GRANT_SHAPE = /^(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

type GrantedLink = { id: number; passwordHash: string | null; expiresAt: Date | null };

const macOf = (link: GrantedLink, expiry: number) =>
  createHmac('sha256', link.passwordHash!).update(`share-grant:${link.id}:${expiry}`).digest('base64url');

/** A new grant for a password link, for the visitor who just gave its password. */
export function makeGrant(link: GrantedLink, now = Date.now()): string {
  const nowSeconds = Math.floor(now / 1000);
  const linkEnd = link.expiresAt ? Math.floor(link.expiresAt.getTime() / 1000) : Infinity;
  const expiry = Math.min(nowSeconds + LIFETIME_SECONDS, linkEnd);
  return `${link.id}.${expiry}.${macOf(link, expiry)}`;
}

/** Whether `grant` (the cookie's value) lets its holder into this password link now. */
export function grantAdmits(grant: string | undefined, link: GrantedLink, now = Date.now()): boolean {
  const parts = grant ? GRANT_SHAPE.exec(grant) : null;
  if (!parts || !link.passwordHash || Number(parts[1]) !== link.id) return false;
  const expiry = Number(parts[2]);
  if (expiry * 1000 <= now) return false;
  const want = Buffer.from(macOf(link, expiry));
  const have = Buffer.from(parts[3]);
  return want.length === have.length && timingSafeEqual(want, have);
}

/** The grant cookie of a request (the first that has our shape), if it sent one. */
export function readGrant(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader || cookieHeader.length > 8192) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== GRANT_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (GRANT_SHAPE.test(value)) return value;
  }
  return undefined;
}

/**
 * `Set-Cookie` for a grant: sent back only to this link's addresses (`Path`), never readable by
 * script (`HttpOnly`), never sent by another site's page (`SameSite=Strict`), `Secure` over HTTPS,
 * and without `Max-Age`: it lasts the browser's session at most (and the grant its 12 hours).
 */
export function grantCookie(grant: string, key: string, secure: boolean): string {
  return `${GRANT_COOKIE}=${grant}; Path=/api/share/${key}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
