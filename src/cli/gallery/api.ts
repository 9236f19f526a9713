// The API as the CLI calls it: openapi-fetch over the types generated from the server's own OpenAPI
// document (web/src/api/schema.d.ts, made by `npm run web:api`), the same client as the web app's.
import createClient, { type Client } from 'openapi-fetch';

import type { components, paths } from '../../../web/src/api/schema';
import { CliError } from './output';

export type Api = Client<paths>;
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type ImageJson = Json<paths['/api/gallery/view-images']['get']['responses'][200]>[number];
export type GalleryJson = Json<paths['/api/gallery/galleries']['get']['responses'][200]>[number];
export type Me = Json<paths['/api/auth/me']['get']['responses'][200]>;
export type ApiError = Json<components['responses']['Error400']>;

const VERSION = '1.0.0';

/** A client of `server`, signed in with `token` when there is one. */
export function apiClient(server: string, token?: string): Api {
  const client = createClient<paths>({ baseUrl: server, headers: { 'User-Agent': `gallery-cli/${VERSION}` } });
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('Authorization', `Token ${token}`);
        return request;
      },
    });
  }
  return client;
}

/** What a failed call says: the server's own message when it sent one. */
export function messageOf(error: unknown, response?: Response): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return response ? `${response.status} ${response.statusText}` : String(error);
}

/** The data of a call that must succeed; otherwise a CliError with the server's message. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const hint = result.response.status === 401 ? ' (run gallery login again, or check GALLERY_TOKEN)' : '';
  throw new CliError(`${what}: ${messageOf(result.error, result.response)}${hint}`);
}

/** The `cursor` of a reply's `Link: <…>; rel="next"`, or undefined on the last page. */
export function nextCursor(response: Response): string | undefined {
  const match = response.headers.get('Link')?.match(/<([^>]+)>;\s*rel="next"/);
  return match ? (new URL(match[1], response.url).searchParams.get('cursor') ?? undefined) : undefined;
}

/** Every item of a paged list, page after page. */
export async function allPages<T>(
  page: (cursor?: string) => Promise<{ data?: T[]; error?: unknown; response: Response }>,
  what: string,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const result = await page(cursor);
    items.push(...must(result, what));
    cursor = nextCursor(result.response);
  } while (cursor);
  return items;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Calls `attempt` again, after 0.5 s, 1 s, 2 s…, when the server could not be reached or answered
 * that it is busy or unavailable (429, 502, 503, 504: `Retry-After` is followed), at most
 * `retries` more times. Only for calls that may be repeated: an upload may, the server keeps one
 * image per set of bytes in a gallery.
 */
export async function withRetries<T extends { response: Response }>(
  attempt: () => Promise<T>,
  retries: number,
): Promise<T> {
  for (let tried = 0; ; tried++) {
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      if (tried >= retries) throw new CliError(`The server could not be reached: ${causeOf(error)}`);
      await sleep(500 * 2 ** tried);
      continue;
    }
    if (!RETRY_STATUSES.has(result.response.status) || tried >= retries) return result;
    const after = Number(result.response.headers.get('Retry-After'));
    await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 60) * 1000 : 500 * 2 ** tried);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
