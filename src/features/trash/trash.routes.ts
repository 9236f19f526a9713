import { z } from 'zod';

import { errorJson, statusOfAll } from '../../http/item-results';
import { pageReply } from '../../http/pagination';
import { messageOnly } from '../../http/response-schemas';
import { defineRoute, type RouteSpec } from '../../http/route';
import { idParam } from '../../shared/ids';
import { emptyReply, restoreBody, restoreReply, trashEntry, trashQuery } from './trash.schemas';
import type { TrashService } from './trash.service';

const BASE = '/api/gallery/trash';

/** The trash: list it, restore from it, delete for good from it. */
export function trashRoutes({ trash }: { trash: TrashService }): RouteSpec[] {
  return [
    listTrash(trash),
    restore(trash),
    empty(trash),
    deleteForever(trash, 'image'),
    deleteForever(trash, 'gallery'),
  ];
}

function listTrash(trash: TrashService) {
  return defineRoute({
    method: 'get',
    path: BASE,
    access: 'image:delete',
    summary:
      'What the caller may restore, newest trashed first: images of the galleries they may write to, their own galleries (admins: everything); an image of a gallery in the trash comes back with it and is not listed',
    responses: { 200: z.array(trashEntry) },
    query: trashQuery,
    handler: async ({ req, actor, query }) => {
      const page = await trash.list(actor, query.limit, query.cursor);
      return pageReply(req, page, ({ entry, trashedBy, canDeleteForever }) => {
        const common = {
          id: entry.id,
          trashedAt: entry.trashedAt!.toISOString(),
          purgeAt: trash.purgeAtOf(entry.trashedAt!).toISOString(),
          trashedBy,
          canDeleteForever,
        };
        return entry.type === 'image'
          ? {
              type: 'image' as const,
              ...common,
              title: entry.title,
              gallery: { id: entry.gallery.id, name: entry.gallery.name },
              size: entry.size,
              width: entry.width,
              height: entry.height,
              thumbhash: entry.thumbhash,
            }
          : { type: 'gallery' as const, ...common, name: entry.name, imageCount: entry._count.images };
      });
    },
  });
}

function restore(trash: TrashService) {
  return defineRoute({
    method: 'post',
    path: `${BASE}/restore`,
    access: 'image:delete',
    summary:
      'Restore images and galleries from the trash (1 to 500 ids in all), each as it was: an image into its gallery (write access to it), a gallery with its images, members and links (owner or admin); galleries first. One result per item; 200 when all were restored, 207 otherwise (an image whose gallery is in the trash: 409)',
    responses: { 200: restoreReply, 207: restoreReply },
    body: restoreBody,
    handler: async ({ actor, body, reply }) => {
      const outcomes = await trash.restore(actor, body);
      const results = outcomes.map(({ type, id, status, error }) => ({
        type,
        id,
        status,
        ...(error ? { error: errorJson(error) } : {}),
      }));
      return reply(statusOfAll(results), { results });
    },
  });
}

function empty(trash: TrashService) {
  return defineRoute({
    method: 'delete',
    path: BASE,
    access: 'image:delete',
    summary:
      "Empty the trash: delete for good, with their files, the items in the trash of the caller's galleries and their galleries in the trash (admins: everything); at most 500 items or 10 seconds a request, `remaining` says how many are left for the next",
    responses: { 200: emptyReply },
    handler: async ({ actor, reply }) => {
      const removed = await trash.empty(actor);
      const message = removed.remaining
        ? `Trash partly emptied: ${removed.remaining} left, empty it again`
        : 'Trash emptied';
      return reply(200, { message, ...removed });
    },
  });
}

function deleteForever(trash: TrashService, type: 'image' | 'gallery') {
  return defineRoute({
    method: 'delete',
    path: `${BASE}/${type === 'image' ? 'images' : 'galleries'}/:id`,
    access: 'image:delete',
    summary: `Delete ${type === 'image' ? 'an image' : 'a gallery (with its images)'} in the trash for good, with its files (the gallery's owner or an admin)`,
    responses: { 200: messageOnly },
    params: z.object({ id: idParam }),
    handler: async ({ actor, params, reply }) => {
      if (type === 'image') await trash.deleteImage(actor, params.id);
      else await trash.deleteGallery(actor, params.id);
      return reply(200, { message: `${type === 'image' ? 'Image' : 'Gallery'} deleted for good` });
    },
  });
}
