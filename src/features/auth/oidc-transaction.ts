import type { Request } from 'express';
import { z } from 'zod';

import { SsoError, TRANSACTION_TTL_MS, type OidcTransaction } from './oidc-client';
import { isSecure } from './session-cookie';

/**
 * The single sign-on in progress, carried by the browser between `/api/auth/oidc/login` and the
 * callback in a short-lived HttpOnly cookie rather than in the server's memory: any server node
 * can finish the flow. SameSite=Lax, so that it comes back with the provider's top-level redirect;
 * its path is the two routes' only. It is no secret from its own browser (the PKCE verifier only
 * needs to stay out of the network's and the provider's sight); what matters is that another
 * browser's sign-in cannot be finished with it, which state, nonce and PKCE see to.
 */
export const TRANSACTION_COOKIE = 'gallery_oidc';
const COOKIE_PATH = '/api/auth/oidc';

const transactionJson = z.strictObject({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  verifier: z.string().min(43).max(128),
  returnTo: z.string().max(1000),
  expiresAt: z.number().int(),
});

export function transactionCookie(req: Request, publicUrl: string | undefined, transaction: OidcTransaction): string {
  const value = Buffer.from(JSON.stringify(transaction)).toString('base64url');
  const secure = isSecure(req, publicUrl) ? '; Secure' : '';
  const maxAge = Math.round(TRANSACTION_TTL_MS / 1000);
  return `${TRANSACTION_COOKIE}=${value}; Max-Age=${maxAge}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax${secure}`;
}

export function clearedTransactionCookie(req: Request, publicUrl: string | undefined): string {
  const secure = isSecure(req, publicUrl) ? '; Secure' : '';
  return `${TRANSACTION_COOKIE}=; Max-Age=0; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax${secure}`;
}

/** The transaction the request's cookie carries: SSO_EXPIRED when there is none, it is not ours or it is too old. */
export function readTransaction(header: string | undefined, now = Date.now()): OidcTransaction {
  const prefix = `${TRANSACTION_COOKIE}=`;
  const raw = (header ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(prefix))
    ?.slice(prefix.length);
  const parsed = (() => {
    try {
      return raw && raw.length <= 4096
        ? transactionJson.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')))
        : null;
    } catch {
      return null;
    }
  })();
  if (!parsed?.success) throw new SsoError('SSO_EXPIRED', 'no sign-in in progress in this browser');
  if (parsed.data.expiresAt <= now) throw new SsoError('SSO_EXPIRED', 'the sign-in at the provider took too long');
  return { ...parsed.data, returnTo: safeReturnTo(parsed.data.returnTo) };
}

/**
 * Where to go after signing in: a path of the web app on this server, or `/`. Anything else (a
 * URL, `//host`, a backslash, a control character, an API path) is refused: no open redirect.
 */
export function safeReturnTo(value: string | undefined): string {
  const control = [...(value ?? '')].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!value || value.length > 1000 || !value.startsWith('/') || value.includes('\\') || control) return '/';
  if (value.startsWith('//')) return '/';
  const base = 'http://gallery.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base || url.pathname.startsWith('/api/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
