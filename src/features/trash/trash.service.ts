import { outcomeOf, type ItemOutcome } from '../../http/item-results';
import type { Database } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { badRequest } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import {
  canModifyGallery,
  purgeAtOf,
  purgeDueBefore,
  viewerOf,
  type GalleriesService,
  type Purger,
} from '../galleries';
import type { ImagesService } from '../images';
import * as repo from './trash.repository';

type Deps = {
  db: Database;
  galleries: Pick<GalleriesService, 'trash'>;
  images: Pick<ImagesService, 'trash'>;
  trashDays: number;
  logger: Logger;
};

/** The most items one restore names. */
export const MAX_RESTORED = 500;
/** Items purged per round of the storage maintenance, between checks of its stop signal. */
const PURGE_BATCH = 100;
/**
 * What one request that empties the trash deletes at most, in items and in time: a very full trash
 * is emptied over several requests (the reply says how many items are left), none of them long.
 */
export const EMPTY_MAX_ITEMS = 500;
export const EMPTY_MAX_MS = 10_000;

export type TrashEntry =
  | ({ type: 'image' } & Awaited<ReturnType<typeof repo.trashedImages>>[number])
  | ({ type: 'gallery' } & Awaited<ReturnType<typeof repo.trashedGalleries>>[number]);

export type TrashItem = { type: 'image' | 'gallery'; id: number };
export type TrashItemOutcome = TrashItem & ItemOutcome<void>;

/** The cursor of the trash's pages: the last entry's place. */
function encodeCursor(entry: TrashEntry): string {
  return Buffer.from(JSON.stringify([entry.trashedAt!.toISOString(), entry.type, entry.id])).toString('base64url');
}

function decodeCursor(cursor: string): repo.TrashPosition {
  try {
    const [at, kind, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const trashedAt = new Date(String(at));
    if (Number.isNaN(trashedAt.getTime()) || (kind !== 'image' && kind !== 'gallery') || !Number.isSafeInteger(id))
      throw new Error('bad cursor');
    return { trashedAt, kind, id: id as number };
  } catch {
    throw badRequest('cursor: Not a cursor of this list; take the Link header of the page before.', [
      { path: 'cursor', message: 'Not a cursor of this list.' },
    ]);
  }
}

const newerFirst = (a: TrashEntry, b: TrashEntry) =>
  b.trashedAt!.getTime() - a.trashedAt!.getTime() ||
  (a.type === b.type ? 0 : a.type === 'gallery' ? -1 : 1) ||
  b.id - a.id;

/**
 * The trash: what a user may restore, listed; restores and deletes for good of several items, each
 * on its own terms (the galleries' and images' own trash operations); and the purge of what has
 * been there for TRASH_DAYS, run by the storage maintenance on one node.
 */
export function createTrashService({ db, galleries, images, trashDays, logger }: Deps) {
  type Emptied = Awaited<ReturnType<typeof emptyNow>>;
  /** Each user's empty in progress on this node, and the one to run after it, shared by all who came meanwhile. */
  const running = new Map<number, Promise<Emptied>>();
  const queued = new Map<number, Promise<Emptied>>();

  function startEmpty(actor: Actor) {
    const run = emptyNow(actor).finally(() => {
      if (running.get(actor.id) === run) running.delete(actor.id);
    });
    running.set(actor.id, run);
    return run;
  }

  async function emptyNow(actor: Actor) {
    const items = await repo.purgeableBy(db, viewerOf(actor) as Exclude<ReturnType<typeof viewerOf>, 'anyone'>);
    const queue = [
      ...items.images.map((id) => ({ kind: 'images' as const, id })),
      ...items.galleries.map((id) => ({ kind: 'galleries' as const, id })),
    ];
    const removed = { images: 0, galleries: 0 };
    const deadline = Date.now() + EMPTY_MAX_MS;
    let reached = 0;
    for (const { kind, id } of queue) {
      if (reached === EMPTY_MAX_ITEMS || Date.now() >= deadline) break;
      reached++;
      const side = kind === 'images' ? images.trash : galleries.trash;
      if ((await outcomeOf(() => side.purge({ actor }, id))).status === 200) removed[kind]++;
    }
    return { ...removed, remaining: queue.length - reached };
  }

  return {
    trashDays,
    purgeAtOf: (trashedAt: Date) => purgeAtOf(trashedAt, trashDays),

    /** One page, newest trashed first; galleries and images merged by the time they were trashed. */
    async list(actor: Actor, limit: number, cursor?: string) {
      const viewer = viewerOf(actor) as Exclude<ReturnType<typeof viewerOf>, 'anyone'>;
      const from = cursor ? decodeCursor(cursor) : undefined;
      const [imageRows, galleryRows] = await Promise.all([
        repo.trashedImages(db, viewer, from, limit + 1),
        repo.trashedGalleries(db, viewer, from, limit + 1),
      ]);
      const entries: TrashEntry[] = [
        ...imageRows.map((row) => ({ type: 'image' as const, ...row })),
        ...galleryRows.map((row) => ({ type: 'gallery' as const, ...row })),
      ].sort(newerFirst);
      const page = entries.slice(0, limit);
      const names = await repo.usernames(db, [
        ...new Set(page.map((entry) => entry.trashedById).filter((id): id is number => id !== null)),
      ]);
      return {
        items: page.map((entry) => ({
          entry,
          trashedBy:
            entry.trashedById === null
              ? null
              : { id: entry.trashedById, username: names.get(entry.trashedById) ?? null },
          canDeleteForever: canModifyGallery(actor, entry.type === 'image' ? entry.gallery : entry),
        })),
        next: entries.length > limit ? encodeCursor(page[page.length - 1]) : undefined,
      };
    },

    /** Galleries first (an image named with its gallery then comes back too); each item on its own. */
    async restore(actor: Actor, items: { images: number[]; galleries: number[] }): Promise<TrashItemOutcome[]> {
      const results: TrashItemOutcome[] = [];
      for (const id of items.galleries)
        results.push({ type: 'gallery', id, ...(await outcomeOf(() => galleries.trash.restore(actor, id))) });
      for (const id of items.images)
        results.push({ type: 'image', id, ...(await outcomeOf(() => images.trash.restore(actor, id))) });
      return results;
    },

    async deleteImage(actor: Actor, id: number) {
      await images.trash.purge({ actor }, id);
    },
    async deleteGallery(actor: Actor, id: number) {
      await galleries.trash.purge({ actor }, id);
    },

    /**
     * Deletes for good what is in the trash the actor may: their galleries' (admins: all), up to
     * EMPTY_MAX_ITEMS items or EMPTY_MAX_MS; `remaining`: the items not reached, for the next call.
     * One user's empties on this node do not race for the same items: while one runs, the requests
     * that come meanwhile share the one run after it (its counts are theirs), so a crowd of them
     * costs two runs and none waits for more than the run before its own.
     */
    empty(actor: Actor): Promise<Emptied> {
      const current = running.get(actor.id);
      if (!current) return startEmpty(actor);
      let next = queued.get(actor.id);
      if (!next) {
        next = current
          .catch(() => undefined)
          .then(() => {
            queued.delete(actor.id);
            return startEmpty(actor);
          });
        queued.set(actor.id, next);
      }
      return next;
    },

    /**
     * For the storage maintenance (under its lease): deletes for good what was put in the trash
     * TRASH_DAYS before `now`. A crash after an item is marked is finished by the storage check, as
     * a delete is; an item not yet marked is purged by the next run.
     */
    async purgeExpired(now: Date, signal?: AbortSignal) {
      // With TRASH_DAYS=0 (set after items went in), everything in the trash is due.
      const purged = { images: 0, galleries: 0 };
      const by: Purger = { expired: { before: purgeDueBefore(now, trashDays), days: trashDays } };
      for (const kind of ['images', 'galleries'] as const) {
        const side = kind === 'images' ? images.trash : galleries.trash;
        for (;;) {
          const ids = await side.trashedBefore(by.expired.before, PURGE_BATCH);
          for (const id of ids) {
            if (signal?.aborted) return purged;
            if (await side.purge(by, id)) purged[kind]++;
          }
          if (ids.length < PURGE_BATCH) break;
        }
      }
      if (purged.images + purged.galleries > 0) logger.info('trash: expired items deleted for good', purged);
      return purged;
    },
  };
}

export type TrashService = ReturnType<typeof createTrashService>;
