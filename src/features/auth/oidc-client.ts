import * as client from 'openid-client';

import type { OidcConfig } from '../../shared/oidc-config';

/**
 * Why a single sign-on did not end signed in. The browser is sent to the sign-in screen with the
 * code (`/signin?sso_error=…`), which says it in words; the details go to the server's log.
 */
export type SsoErrorCode =
  | 'SSO_DENIED'
  | 'SSO_STATE'
  | 'SSO_EXPIRED'
  | 'SSO_UNAVAILABLE'
  | 'SSO_ISSUER'
  | 'SSO_FAILED'
  | 'SSO_NO_USERNAME'
  | 'SSO_USERNAME_TAKEN'
  | 'SSO_EMAIL_TAKEN'
  | 'SSO_ACCOUNT_DISABLED';

export class SsoError extends Error {
  constructor(
    readonly code: SsoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SsoError';
  }
}

/** What the browser carries between the two legs (oidc-transaction.ts). */
export type OidcTransaction = { state: string; nonce: string; verifier: string; returnTo: string; expiresAt: number };

/** The claims of a sign-in: the ID token's, completed by the provider's userinfo. */
export type OidcClaims = Record<string, unknown> & { iss: string; sub: string };

/** An openid-client error, as a code the web app can put in words. */
function ssoErrorOf(error: unknown, stage: 'discovery' | 'callback'): SsoError {
  if (error instanceof SsoError) return error;
  // openid-client says what failed, and its cause (oauth4webapi's error, or fetch's) which value.
  // By name, not instanceof: fetch's errors may come from another realm.
  const nameOf = (value: unknown) => (value as { name?: unknown } | undefined)?.name;
  const cause = (error as { cause?: { message?: unknown; name?: unknown } } | undefined)?.cause;
  const own = (error as { message?: unknown } | undefined)?.message;
  const message = `${typeof own === 'string' ? own : String(error)}${typeof cause?.message === 'string' ? `: ${cause.message}` : ''}`;
  if (error instanceof client.AuthorizationResponseError) {
    return new SsoError(
      error.error === 'access_denied' ? 'SSO_DENIED' : 'SSO_FAILED',
      `the provider answered ${error.error}`,
    );
  }
  const code = (error as { code?: unknown }).code;
  if (stage === 'discovery') {
    const mixUp = code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';
    return new SsoError(mixUp ? 'SSO_ISSUER' : 'SSO_UNAVAILABLE', `discovery of the provider failed: ${message}`);
  }
  const network = ['TypeError', 'AbortError', 'TimeoutError'].some((name) =>
    [nameOf(error), nameOf(cause)].includes(name),
  );
  if (network || code === 'OAUTH_TIMEOUT')
    return new SsoError('SSO_UNAVAILABLE', `the provider could not be reached: ${message}`);
  // The ID token's `iss`, or the `iss` of the authorization response, is not the provider's.
  if (/"iss" \(issuer\)/.test(message)) return new SsoError('SSO_ISSUER', `another issuer answered: ${message}`);
  return new SsoError('SSO_FAILED', `the sign-in could not be verified: ${message}`);
}

/**
 * The relying party's side of OpenID Connect, through openid-client: the provider's metadata found
 * on first use (and found again after a failure, so that the server starts while the provider is
 * down), the authorization request (code flow, PKCE S256, state and nonce), and the code exchange
 * with every check openid-client makes (state, nonce, PKCE, the issuer of the metadata and of the
 * ID token, its audience, signature and times).
 */
export function createOidcClient(config: OidcConfig) {
  let discovered: Promise<client.Configuration> | null = null;
  const insecure = new URL(config.issuer).protocol === 'http:';

  function configuration(): Promise<client.Configuration> {
    discovered ??= client
      .discovery(
        new URL(config.issuer),
        config.clientId,
        undefined,
        config.clientSecret ? client.ClientSecretBasic(config.clientSecret) : client.None(),
        { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
      )
      .catch((error: unknown) => {
        discovered = null;
        throw ssoErrorOf(error, 'discovery');
      });
    return discovered;
  }

  /** Where to send the browser, and the transaction it carries until it comes back. */
  async function begin(returnTo: string): Promise<{ url: URL; transaction: OidcTransaction }> {
    const found = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const transaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      returnTo,
      expiresAt: Date.now() + TRANSACTION_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(found, {
      redirect_uri: config.redirectUri,
      scope: config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { url, transaction };
  }

  /** The code exchange for the URL the provider sent the browser back to; its claims. */
  async function finish(currentUrl: URL, transaction: OidcTransaction): Promise<OidcClaims> {
    const found = await configuration();
    try {
      const tokens = await client.authorizationCodeGrant(
        found,
        currentUrl,
        {
          pkceCodeVerifier: transaction.verifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: config.redirectUri },
      );
      const idClaims = tokens.claims();
      if (!idClaims) throw new SsoError('SSO_FAILED', 'the provider sent no ID token');
      const info = found.serverMetadata().userinfo_endpoint
        ? await client.fetchUserInfo(found, tokens.access_token, idClaims.sub)
        : {};
      // The userinfo completes the ID token; who signed in (iss, sub) is the ID token's.
      return { ...idClaims, ...info, iss: idClaims.iss, sub: idClaims.sub };
    } catch (error) {
      throw ssoErrorOf(error, 'callback');
    }
  }

  return { begin, finish, configuration };
}

/** How long a sign-in at the provider may take: the transaction cookie's life. */
export const TRANSACTION_TTL_MS = 10 * 60_000;

export type OidcClient = ReturnType<typeof createOidcClient>;
