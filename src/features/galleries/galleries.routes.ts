import type { Request } from 'express';
import { z } from 'zod';

import { baseUrlOf } from '../../http/base-url';
import { withEtag } from '../../http/conditional';
import { pageReply } from '../../http/pagination';
import { withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { listOptions } from '../../shared/paging';
import { toGalleryJson } from './galleries.mapper';
import type { GalleryRow } from './galleries.repository';
import {
  createGalleryBody,
  deleteReply,
  deleteReplyOf,
  galleryParams,
  galleryReply,
  listGalleriesQuery,
  updateGalleryBody,
} from './galleries.schemas';
import type { GalleriesService } from './galleries.service';

const BASE = '/api/gallery/galleries';

/**
 * What the gallery routes need: the service, and the URL of an image's thumbnail from the server's
 * public address (`publicUrl`, or the request's host): the images feature's, given by the app.
 */
export type GalleryRouteDeps = {
  galleries: GalleriesService;
  publicUrl?: string;
  thumbnailUrl: (baseUrl: string, image: { id: number; storageKey: string }) => string;
};

type GalleryJson = (gallery: GalleryRow) => ReturnType<typeof toGalleryJson>;

/** The gallery's JSON, with its cover's thumbnail at this request's address. */
export function galleryJsonFor({ publicUrl, thumbnailUrl }: GalleryRouteDeps, req: Request): GalleryJson {
  const base = baseUrlOf(req, publicUrl);
  return (gallery) => toGalleryJson(gallery, (image) => thumbnailUrl(base, image));
}

export function galleryRoutes(deps: GalleryRouteDeps) {
  return [listGalleries(deps), createGallery(deps), showGallery(deps), updateGallery(deps), deleteGallery(deps)];
}

function listGalleries(deps: GalleryRouteDeps) {
  return defineRoute({
    method: 'get',
    path: BASE,
    access: 'gallery:read',
    summary:
      'List galleries with their covers (?owner=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
    responses: { 200: z.array(galleryReply) },
    query: listGalleriesQuery,
    handler: async ({ req, actor, query }) => {
      const page = await deps.galleries.list(actor, { ownerId: query.owner }, listOptions(query));
      return pageReply(req, page, galleryJsonFor(deps, req));
    },
  });
}

function createGallery(deps: GalleryRouteDeps) {
  return defineRoute({
    method: 'post',
    path: BASE,
    access: 'gallery:create',
    summary: 'Create a gallery owned by the caller',
    responses: { 201: withMessage(galleryReply) },
    body: createGalleryBody,
    handler: async ({ req, actor, body, reply }) => {
      const gallery = await deps.galleries.create(actor, body);
      return reply(201, { message: 'Gallery created successfully', ...galleryJsonFor(deps, req)(gallery) });
    },
  });
}

function showGallery(deps: GalleryRouteDeps) {
  return defineRoute({
    method: 'get',
    path: `${BASE}/:id`,
    access: 'gallery:read',
    summary: 'One gallery with its cover (ETag; If-None-Match → 304)',
    responses: { 200: galleryReply, 304: 'empty' },
    params: galleryParams,
    handler: async ({ req, actor, params }) =>
      withEtag(req, galleryJsonFor(deps, req)(await deps.galleries.get(actor, params.id))),
  });
}

function updateGallery(deps: GalleryRouteDeps) {
  return defineRoute({
    method: 'patch',
    path: `${BASE}/:id`,
    access: 'gallery:update',
    summary:
      'Rename, describe, change the visibility or choose the cover (coverImage: an image of the gallery, or null) of a gallery (owner or admin)',
    responses: { 200: withMessage(galleryReply) },
    params: galleryParams,
    body: updateGalleryBody,
    handler: async ({ req, actor, params, body, reply }) => {
      const gallery = await deps.galleries.update(actor, params.id, body);
      return reply(200, { message: 'Gallery updated successfully', ...galleryJsonFor(deps, req)(gallery) });
    },
  });
}

function deleteGallery({ galleries }: GalleryRouteDeps) {
  return defineRoute({
    method: 'delete',
    path: `${BASE}/:id`,
    access: 'gallery:delete',
    summary:
      'Delete a gallery (owner or admin): it goes to the trash with its images, members and links, restorable for TRASH_DAYS; with TRASH_DAYS=0 it is deleted for good with its images and their files',
    responses: { 200: deleteReply },
    params: galleryParams,
    handler: async ({ actor, params, reply }) => {
      const outcome = await galleries.remove(actor, params.id);
      return reply(200, deleteReplyOf('Gallery deleted successfully', outcome));
    },
  });
}
