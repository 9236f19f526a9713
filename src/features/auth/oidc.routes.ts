import type { Request } from 'express';
import { z } from 'zod';

import { defineRoute } from '../../http/route';
import { AppError } from '../../shared/errors';
import { OIDC_CALLBACK_PATH } from '../../shared/oidc-config';
import type { Oidc } from './oidc';
import { SsoError } from './oidc-client';
import { clearedTransactionCookie, readTransaction, safeReturnTo, transactionCookie } from './oidc-transaction';
import { sessionCookie } from './session-cookie';

export type OidcRouteDeps = { oidc: Oidc | null; publicUrl?: string };

const loginQuery = z.object({
  returnTo: z
    .string()
    .max(1000)
    .optional()
    .meta({ description: 'A path of the web app to open once signed in (anything else: /)' }),
});

/** Single sign-on: to the provider, and back into the web app signed in (docs/auth.md#single-sign-on). */
export function oidcRoutes(deps: OidcRouteDeps) {
  return [login(deps), callback(deps)];
}

const redirect = (location: string) => ({
  status: 302 as const,
  headers: { Location: location, 'Cache-Control': 'no-store' },
});

/** Any failure of the flow: to the sign-in screen, which says it in words; the details to the log. */
function failed({ oidc, publicUrl }: OidcRouteDeps, error: unknown) {
  oidc?.logFailure(error);
  const code = error instanceof SsoError ? error.code : 'SSO_FAILED';
  return redirect(`${publicUrl ?? ''}/signin?sso_error=${code}`);
}

function enabled(oidc: Oidc | null): Oidc {
  if (!oidc) throw new AppError('NOT_CONFIGURED', 'Single sign-on is not set up on this server (OIDC_ISSUER).');
  return oidc;
}

/** Adds a cookie to the reply (the callback sets two: express's `append` keeps both). */
const addCookie = (req: Request, cookie: string) => req.res?.append('Set-Cookie', cookie);

function login(deps: OidcRouteDeps) {
  return defineRoute({
    method: 'get',
    path: '/api/auth/oidc/login',
    access: 'public',
    summary:
      "Single sign-on: 302 to the OpenID Provider's sign-in (a short-lived cookie keeps state, nonce and PKCE verifier); on failure 302 to /signin?sso_error=CODE",
    responses: { 302: 'redirect' },
    errors: ['NOT_CONFIGURED'],
    query: loginQuery,
    handler: async ({ req, query }) => {
      const oidc = enabled(deps.oidc);
      try {
        const { url, transaction } = await oidc.begin(safeReturnTo(query.returnTo));
        addCookie(req, transactionCookie(req, deps.publicUrl, transaction));
        return redirect(url.href);
      } catch (error) {
        return failed(deps, error);
      }
    },
  });
}

function callback(deps: OidcRouteDeps) {
  return defineRoute({
    method: 'get',
    path: OIDC_CALLBACK_PATH,
    access: 'public',
    summary:
      "Single sign-on's way back (the redirect URI): checks the provider's answer, signs the browser in (the session cookie) and 302 to the web app; on failure 302 to /signin?sso_error=CODE",
    responses: { 302: 'redirect' },
    errors: ['NOT_CONFIGURED'],
    handler: async ({ req, address }) => {
      const oidc = enabled(deps.oidc);
      const { publicUrl } = deps;
      // The transaction is used once, whatever happens next.
      addCookie(req, clearedTransactionCookie(req, publicUrl));
      try {
        const transaction = readTransaction(req.headers.cookie);
        const currentUrl = new URL(req.originalUrl, publicUrl);
        if (currentUrl.searchParams.get('state') !== transaction.state)
          throw new SsoError('SSO_STATE', 'the state sent back is not the one this browser was sent with');
        const { token, expiresAt } = await oidc.finish(currentUrl, transaction, address);
        addCookie(req, sessionCookie(req, publicUrl, token, (expiresAt.getTime() - Date.now()) / 1000));
        return redirect(`${publicUrl ?? ''}${transaction.returnTo}`);
      } catch (error) {
        return failed(deps, error);
      }
    },
  });
}
