// The trash and the changes made to many images at once: trashing, restoring and moving a
// selection (`POST /api/gallery/images/bulk`), the list of what is in the trash, and deleting from
// it for good. A bulk reply is 200 when every item succeeded, 207 otherwise, with one result per
// item in the order asked.
import type { Reply } from '../data';
import { api, messageOf } from './client';
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type TrashEntry = Json<paths['/api/gallery/trash']['get']['responses'][200]>[number];
/** One item of a bulk reply (its status, and why when it failed). */
export type ItemResult = { id: number; status: number; purgeAt?: string; error?: { message: string } };
export type RestoreResult = Json<paths['/api/gallery/trash/restore']['post']['responses'][200]>['results'][number];
/** What a DELETE of an image or a gallery answers: whether it went to the trash, and until when. */
export type DeleteReply = { trashed?: boolean; purgeAt?: string | null };

/** A call's outcome: `data` when the server said yes (2xx), else the sentence to show. */
export type Outcome<T> = { data: T; error?: undefined } | { data?: undefined; error: string };

async function outcome<T>(call: Promise<{ data?: T; error?: unknown }>): Promise<Outcome<T>> {
  try {
    const { data, error } = await call;
    return data === undefined ? { error: messageOf(error) } : { data };
  } catch {
    return { error: 'The server could not be reached. Check your connection and try again.' };
  }
}

/** One action on many images: every item's result, in the order of `ids` (in requests of at most 500). */
export async function bulk(action: 'move' | 'trash', ids: number[], gallery = 0): Promise<Outcome<ItemResult[]>> {
  const results: ItemResult[] = [];
  for (let start = 0; start < ids.length; start += 500) {
    const part = ids.slice(start, start + 500);
    const body = action === 'move' ? { action, ids: part, gallery } : { action, ids: part };
    const reply = await outcome(api.POST('/api/gallery/images/bulk', { body }));
    // A later request that fails: what the earlier ones did stands, and the failure is said.
    if (!reply.data) return results.length ? { data: [...results, ...failed(ids.slice(start), reply.error)] } : reply;
    results.push(...reply.data.results);
  }
  return { data: results };
}

const failed = (ids: number[], message: string): ItemResult[] =>
  ids.map((id) => ({ id, status: 0, error: { message } }));

/** Brings images and galleries back from the trash. */
export async function restore(items: { images?: number[]; galleries?: number[] }): Promise<Outcome<RestoreResult[]>> {
  const reply = await outcome(api.POST('/api/gallery/trash/restore', { body: items }));
  return reply.data ? { data: reply.data.results } : reply;
}

/** A page of the trash, newest first (the next page's cursor in the `Link` header). */
export const trashPage = (cursor: string | undefined, signal: AbortSignal): Promise<Reply<TrashEntry[]>> =>
  api.GET('/api/gallery/trash', { params: { query: { limit: 50, cursor } }, signal });

/** Deletes one entry of the trash for good. */
export const deleteForever = ({ type, id }: { type: 'image' | 'gallery'; id: number }) =>
  outcome(
    type === 'image'
      ? api.DELETE('/api/gallery/trash/images/{id}', { params: { path: { id } } })
      : api.DELETE('/api/gallery/trash/galleries/{id}', { params: { path: { id } } }),
  );

/** Deletes for good everything in the trash the user may delete. */
export const emptyTrash = () => outcome(api.DELETE('/api/gallery/trash'));

/** Whether an item of a bulk or restore reply succeeded. */
export const ok = (result: { status: number }) => result.status >= 200 && result.status < 300;

/** "2 could not be moved: Image 9 not found; …": the failures of a bulk reply, or null when none failed. */
export function failuresOf(results: Omit<ItemResult, 'id'>[], verb: string): string | null {
  const failures = results.filter((r) => !ok(r));
  if (!failures.length) return null;
  const reasons = [...new Set(failures.map((r) => r.error?.message ?? `status ${r.status}`))];
  return `${failures.length} could not be ${verb}: ${reasons.join('; ')}`;
}
