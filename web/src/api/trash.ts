// The trash and the changes made to many images at once: trashing, restoring and moving a
// selection (`POST /api/gallery/images/bulk`), the list of what is in the trash, and deleting from
// it for good. A bulk reply is 200 when every item succeeded, 207 otherwise, with one result per
// item in the order asked.
import type { Reply } from '../data';
import { CSRF_HEADER, messageOf, type Image } from './client';

export type BulkAction = 'move' | 'trash' | 'restore';
export type ItemError = { message: string; code?: string };
export type BulkResult = { id: number; status: number; image?: Image; error?: ItemError };
export type RestoreResult = { type: 'image' | 'gallery'; id: number; status: number; error?: ItemError };
type Who = { id: number; username: string } | null;
type Trashed = { id: number; trashedAt: string; purgeAt: string | null; trashedBy: Who; canDeleteForever: boolean };
export type TrashedImage = Trashed & {
  type: 'image';
  title: string;
  gallery: { id: number; name: string };
  size: number;
  width: number | null;
  height: number | null;
  thumbhash: string | null;
};
export type TrashedGallery = Trashed & { type: 'gallery'; name: string; imageCount: number };
export type TrashEntry = TrashedImage | TrashedGallery;

/** A call's outcome: `data` when the server said yes (2xx), else the sentence to show. */
export type Outcome<T> = { data: T; error?: undefined; response: Response } | { data?: undefined; error: string };

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Outcome<T>> {
  try {
    const response = await fetch(path, {
      method,
      signal,
      credentials: 'same-origin',
      headers: body === undefined ? { [CSRF_HEADER]: '1' } : { [CSRF_HEADER]: '1', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) return { error: messageOf(json) };
    return { data: json as T, response };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { error: 'The server could not be reached. Check your connection and try again.' };
  }
}

/** One action on many images: every item's result, in the order of `ids` (in requests of at most 500). */
export async function bulk(action: BulkAction, ids: number[], gallery?: number): Promise<Outcome<BulkResult[]>> {
  const results: BulkResult[] = [];
  let last: Response | undefined;
  for (let start = 0; start < ids.length; start += 500) {
    const part = ids.slice(start, start + 500);
    const reply = await call<{ results: BulkResult[] }>('POST', '/api/gallery/images/bulk', {
      action,
      ids: part,
      gallery,
    });
    if (!reply.data) return results.length ? { data: results, response: last! } : reply;
    results.push(...reply.data.results);
    last = reply.response;
  }
  return { data: results, response: last! };
}

/** Brings images and galleries back from the trash. */
export async function restore(items: { images?: number[]; galleries?: number[] }): Promise<Outcome<RestoreResult[]>> {
  const reply = await call<{ results: RestoreResult[] }>('POST', '/api/gallery/trash/restore', items);
  return reply.data ? { data: reply.data.results, response: reply.response } : reply;
}

/** A page of the trash, newest first (the next page's cursor in the `Link` header). */
export async function trashPage(cursor: string | undefined, signal: AbortSignal): Promise<Reply<TrashEntry[]>> {
  const query = new URLSearchParams({ limit: '50' });
  if (cursor) query.set('cursor', cursor);
  const response = await fetch(`/api/gallery/trash/?${query.toString()}`, { signal, credentials: 'same-origin' });
  const json: unknown = await response.json().catch(() => null);
  return response.ok ? { data: json as TrashEntry[], response } : { error: json, response };
}

/** Deletes one entry of the trash for good. */
export const deleteForever = (entry: { type: 'image' | 'gallery'; id: number }) =>
  call<{ message: string }>(
    'DELETE',
    `/api/gallery/trash/${entry.type === 'image' ? 'images' : 'galleries'}/${entry.id}/`,
  );

/** Deletes for good everything in the trash the user may delete. */
export const emptyTrash = () =>
  call<{ message: string; images: number; galleries: number }>('DELETE', '/api/gallery/trash/');

/** What a DELETE of an image or a gallery answers now: whether it went to the trash, and until when. */
export type DeleteReply = { message?: string; trashed?: boolean; purgeAt?: string | null };

/** "2 could not be moved: Image 9 not found; …": the failures of a bulk reply, or null when none failed. */
export function failuresOf(results: { id: number; status: number; error?: ItemError }[], verb: string): string | null {
  const failed = results.filter((r) => r.status >= 300);
  if (!failed.length) return null;
  const reasons = [...new Set(failed.map((r) => r.error?.message ?? `status ${r.status}`))];
  return `${failed.length} could not be ${verb}: ${reasons.join('; ')}`;
}
