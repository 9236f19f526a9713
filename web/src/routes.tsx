// Every address of the web app: its path, who may open it, and the screen it shows. The server
// answers every non-API path with index.html; the shell (app.tsx) finds the route here.
import type { JSX } from 'preact';

import type { Permission } from './api/client';
import { Later } from './components/later';
import { loadAdmin, loadPasswordReset, loadSearch, loadSecurity, loadSettings, loadTokens, loadTrash } from './lazy';
import { match } from './router';
import { Register, SignIn } from './screens/auth';
import { Galleries } from './screens/galleries';
import { GalleryScreen } from './screens/gallery';
import { SharedGallery } from './screens/shared';

/**
 * Who may open a screen: `anyone` (a share link: no account, no session needed), `signed-out`
 * (signing in: a signed-in user is sent to the galleries), `signed-in`, or a signed-in user whose
 * role has that permission (others get "Not found", as for an address that does not exist).
 */
export type Access = 'anyone' | 'signed-out' | 'signed-in' | Permission;

/** The parameters named in a path pattern: `/galleries/:id` has `{ id: string }`. */
type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

export type Route = { path: string; access: Access; screen: (params: Record<string, string>) => JSX.Element };

/** A route whose screen gets the parameters its path names, typed. */
function route<P extends string>(path: P, access: Access, screen: (params: ParamsOf<P>) => JSX.Element): Route {
  return { path, access, screen: (params) => screen(params as ParamsOf<P>) };
}

// Screens few open, loaded when first opened: the first load goes without them.
const admin = () => loadAdmin().then((m) => m.Admin);
const settings = () => loadSettings().then((m) => m.GallerySettings);
const trash = () => loadTrash().then((m) => m.ready.then(() => m.Trash));
const tokens = () => loadTokens().then((m) => m.Tokens);
const security = () => loadSecurity().then((m) => m.Security);
const search = () => loadSearch().then((m) => m.ready.then(() => m.Search));
const forgotPassword = () => loadPasswordReset().then((m) => m.ForgotPassword);
const resetPassword = () => loadPasswordReset().then((m) => m.ResetPassword);

export const ROUTES: Route[] = [
  route('/signin', 'signed-out', () => <SignIn />),
  route('/register', 'signed-out', () => <Register />),
  route('/forgot-password', 'signed-out', () => <Later load={forgotPassword} props={{}} />),
  route('/reset-password', 'anyone', () => <Later load={resetPassword} props={{}} />),
  route('/share/:key', 'anyone', ({ key }) => <SharedGallery shareKey={key} />),
  route('/share/:key/images/:imageId', 'anyone', ({ key, imageId }) => (
    <SharedGallery shareKey={key} imageId={Number(imageId)} />
  )),
  route('/', 'signed-in', () => <Galleries />),
  route('/galleries', 'signed-in', () => <Galleries />),
  route('/galleries/:id', 'signed-in', ({ id }) => <GalleryScreen galleryId={Number(id)} imageId={null} />),
  route('/galleries/:id/images/:imageId', 'signed-in', ({ id, imageId }) => (
    <GalleryScreen galleryId={Number(id)} imageId={Number(imageId)} />
  )),
  route('/galleries/:id/settings', 'signed-in', ({ id }) => (
    <Later load={settings} props={{ galleryId: Number(id) }} />
  )),
  route('/search', 'signed-in', () => <Later load={search} props={{ imageId: null }} />),
  route('/search/images/:imageId', 'signed-in', ({ imageId }) => (
    <Later load={search} props={{ imageId: Number(imageId) }} />
  )),
  route('/tokens', 'signed-in', () => <Later load={tokens} props={{}} />),
  route('/security', 'signed-in', () => <Later load={security} props={{}} />),
  route('/trash', 'image:delete', () => <Later load={trash} props={{}} />),
  route('/admin', 'user:manage', () => <Later load={admin} props={{}} />),
];

export type Found = { route: Route; params: Record<string, string> };

/** The route of `path` and its parameters, or null for an address the app does not have. */
export function findRoute(path: string): Found | null {
  for (const route of ROUTES) {
    const params = match(route.path, path);
    if (params) return { route, params };
  }
  return null;
}
