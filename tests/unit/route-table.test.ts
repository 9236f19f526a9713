import { PERMISSIONS } from '../../src/shared/permissions';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

function mountedRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return Object.keys(layer.route.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method.toUpperCase()} ${layer.route!.path}`);
    }
    return layer.handle?.stack ? mountedRoutes(layer.handle.stack) : [];
  });
}

describe('the route table', () => {
  it('gives every route a declared access rule that exists', () => {
    const valid = new Set<string>(['public', 'authenticated', ...PERMISSIONS]);
    for (const route of t.app.locals.routes) {
      expect({ route: `${route.method} ${route.path}`, valid: valid.has(route.access) }).toEqual({
        route: `${route.method} ${route.path}`,
        valid: true,
      });
    }
  });

  it('mounts exactly the routes in the table, nothing else', () => {
    const declared = t.app.locals.routes.map((route) => `${route.method.toUpperCase()} ${route.path}`).sort();
    const mounted = mountedRoutes((t.app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
    expect(mounted).toEqual(declared);
  });

  it('keeps public routes to the few that must be', () => {
    const open = t.app.locals.routes
      .filter((route) => route.access === 'public')
      .map((route) => route.path)
      .sort();
    expect(open).toEqual([
      '/api/auth/login',
      // Single sign-on: the provider vouches for the person (see oidc.test.ts).
      '/api/auth/oidc/callback',
      '/api/auth/oidc/login',
      // A passkey: its signature over a one-time challenge is the credential (see passkeys.test.ts).
      '/api/auth/passkeys/login',
      '/api/auth/passkeys/login/options',
      '/api/auth/passkeys/session',
      // A forgotten password: the link's token is the credential (see password-reset.test.ts).
      '/api/auth/password/forgot',
      '/api/auth/password/reset',
      '/api/auth/register',
      '/api/auth/session',
      // What the sign-in and register screens need to know before anyone signs in.
      '/api/auth/settings',
      '/api/auth/token',
      '/api/docs',
      '/api/openapi.json',
      '/api/postman.json',
      // A share link's page and files: the key is the credential (see share-links.test.ts).
      '/api/share/:key',
      '/api/share/:key/download',
      '/api/share/:key/images/:imageId/file',
      '/health',
      '/metrics',
      '/ready',
    ]);
  });
});
