// The one way the app talks to the API: openapi-fetch over the types generated from the server's
// own OpenAPI document (schema.d.ts, made by scripts/web-api.ts). Same origin, the session cookie
// goes along by itself; every write carries the CSRF header the server asks of cookie sessions.
import createClient, { type Middleware } from 'openapi-fetch';

import type { components, paths } from './schema';

export const CSRF_HEADER = 'X-Gallery-CSRF';

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') request.headers.set(CSRF_HEADER, '1');
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Me = Json<paths['/api/auth/me']['get']['responses'][200]>;
export type Permission = Me['permissions'][number];
export type Gallery = Json<paths['/api/gallery/galleries/{id}']['get']['responses'][200]>;
export type GalleryListItem = Json<paths['/api/gallery/galleries']['get']['responses'][200]>[number];
export type Image = Json<paths['/api/gallery/view-images']['get']['responses'][200]>[number];
export type UploadedImage = Json<paths['/api/gallery/images']['post']['responses'][201]>;
export type SharePage = Json<paths['/api/share/{key}']['get']['responses'][200]>;
export type SharedImage = SharePage['images'][number];
export type ApiError = Json<components['responses']['Error400']>;
export type GallerySort = NonNullable<
  NonNullable<paths['/api/gallery/galleries']['get']['parameters']['query']>['sort']
>;

/** The sentence to show for a failed call: the server's own message when it sent one. */
export function messageOf(error: unknown, fallback = 'Something went wrong. Try again.'): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string')
    return error.message;
  return fallback;
}

/** The `cursor` of a reply's `Link: <…>; rel="next"` header, or null on the last page. */
export function nextCursor(response: Response): string | null {
  const link = response.headers.get('Link');
  const match = link?.match(/<([^>]+)>;\s*rel="next"/);
  if (!match) return null;
  return new URL(match[1], location.origin).searchParams.get('cursor');
}

export function can(me: Me | null, permission: Permission): boolean {
  return !!me?.permissions.includes(permission);
}
