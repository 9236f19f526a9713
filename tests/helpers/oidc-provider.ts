// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the browser tests compile this without tests/types
/// <reference path="../types/oidc-provider.d.ts" />
// A real OpenID Provider (oidc-provider, the certified Node implementation) for the single sign-on
// tests, in the test's own process on a random port: its accounts' claims are set per test, its
// one client is the gallery with the redirect URI it is given, PKCE is required.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'gallery';
export const CLIENT_SECRET = 'a-secret-of-the-gallery-client-at-the-provider';

export type TestProvider = {
  /** The issuer identifier: http://<host>:<port> */
  issuer: string;
  port: number;
  /** The claims an account (its login name is its subject) signs in with. */
  setAccount(sub: string, claims: Record<string, unknown>): void;
  close(): Promise<void>;
};

export async function startProvider(options: { redirectUri: string; host?: 'localhost' | '127.0.0.1'; port?: number }) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const accounts = new Map<string, Record<string, unknown>>();
  // Its warnings about development keys and interactions are what a test provider is.
  const warn = console.warn;
  console.warn = () => undefined;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    cookies: { keys: ['a-cookie-key-of-the-test-provider'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => {
      const claims = accounts.get(id);
      return claims ? { accountId: id, claims: () => ({ ...claims, sub: id }) } : undefined;
    },
    // Consent is taken as given: the sign-in form is the only page on the way.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile email groups');
      grant.addOIDCClaims(['preferred_username', 'name', 'email', 'email_verified', 'groups']);
      await grant.save();
      return grant;
    },
  });
  console.warn = warn;
  server.on('request', provider.callback());
  return {
    issuer,
    port,
    setAccount: (sub: string, claims: Record<string, unknown>) => accounts.set(sub, claims),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies TestProvider;
}

/** A tiny cookie jar for the provider's cookies (their paths do not matter here). */
function jar() {
  const cookies = new Map<string, string>();
  return {
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
      }
    },
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  };
}

/**
 * Signs in at the provider as a browser would, from the authorization URL the gallery redirected
 * to: follows its redirects, posts its sign-in form (`login`: the account's subject), and stops
 * at the first redirect to the gallery. Returns that URL: the callback with `code` and `state` (or
 * `error`).
 */
export async function signInAtProvider(authorizationUrl: string, login: string, galleryOrigin: string) {
  const cookies = jar();
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: {
        cookie: cookies.header(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    cookies.take(res);
    const location = res.headers.get('location');
    if (location) {
      const next = new URL(location, url).href;
      if (next.startsWith(galleryOrigin)) return next;
      [url, method, body] = [next, 'GET', undefined];
      continue;
    }
    const page = await res.text();
    if (!page.includes('name="login"'))
      throw new Error(`unexpected page at ${url} (${res.status}): ${page.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action) throw new Error('no sign-in form at the provider');
    [url, method] = [new URL(action, url).href, 'POST'];
    body = new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString();
  }
  throw new Error('too many redirects at the provider');
}
