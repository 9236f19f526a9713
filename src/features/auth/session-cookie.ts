import type { Request } from 'express';

import { baseUrlOf } from '../../http/base-url';
import { AppError } from '../../shared/errors';
import { looksLikeToken } from './tokens';

/**
 * The browser's sign-in: a server-side token (kind "browser") carried in an HttpOnly cookie
 * instead of the Authorization header. Scripts keep using `Authorization: Token`, which always
 * wins over the cookie.
 */
export const SESSION_COOKIE = 'gallery_session';

/** The header every write authenticated by the cookie must carry (a cross-site form cannot set it). */
export const CSRF_HEADER = 'X-Gallery-CSRF';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's token, or null when the request has none that looks like one of ours. */
export function readSessionCookie(header: string | undefined): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (looksLikeToken(value)) return value;
  }
  return null;
}

/** Whether the cookie is what signs this request in: it is there and no Authorization header is. */
export function usesSessionCookie(req: Request): boolean {
  return req.headers.authorization === undefined && readSessionCookie(req.headers.cookie) !== null;
}

/** The server's own origin: PUBLIC_URL's, else the one the request was made to. */
export function ownOrigin(req: Request, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  return baseUrlOf(req, undefined);
}

/** Cookies get `Secure` when the request came over HTTPS (behind a proxy: with TRUST_PROXY) or PUBLIC_URL is https. */
export function isSecure(req: Request, publicUrl: string | undefined): boolean {
  return req.secure || Boolean(publicUrl?.startsWith('https:'));
}

/** `Set-Cookie` for a new session token, living as long as the token. */
export function sessionCookie(
  req: Request,
  publicUrl: string | undefined,
  token: string,
  maxAgeSeconds: number,
): string {
  const secure = isSecure(req, publicUrl) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Max-Age=${Math.max(0, Math.round(maxAgeSeconds))}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(req: Request, publicUrl: string | undefined): string {
  const secure = isSecure(req, publicUrl) ? '; Secure' : '';
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure}`;
}

const refused = (why: string) => new AppError('CSRF_REJECTED', `Cross-site request refused: ${why}`);

/** A request whose `Origin`, when it sends one, is not this server's: 403 CSRF_REJECTED. */
export function checkOrigin(req: Request, publicUrl: string | undefined): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(req, publicUrl)) {
    throw refused(`the request comes from ${origin.slice(0, 200)}, not from this server's own pages.`);
  }
}

/**
 * CSRF defence for requests signed in by the cookie (besides SameSite=Strict): a write must carry
 * `X-Gallery-CSRF: 1` (a plain form or a cross-site fetch without CORS cannot) and, when the browser
 * sends an `Origin`, it must be this server's. Reads (GET, HEAD, OPTIONS) pass.
 */
export function checkCsrf(req: Request, publicUrl: string | undefined): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (req.get(CSRF_HEADER) !== '1')
    throw refused(`a change made with the session cookie needs the ${CSRF_HEADER}: 1 header.`);
  checkOrigin(req, publicUrl);
}
