import { z } from 'zod';

import { withEtag } from '../../http/conditional';
import { pageReply } from '../../http/pagination';
import { messageOnly, withMessage } from '../../http/response-schemas';
import { defineRoute } from '../../http/route';
import { listOptions } from '../../shared/paging';
import { toGalleryJson } from './galleries.mapper';
import {
  createGalleryBody,
  galleryParams,
  galleryReply,
  listGalleriesQuery,
  updateGalleryBody,
} from './galleries.schemas';
import type { GalleriesService } from './galleries.service';

const BASE = '/api/gallery/galleries';

export function galleryRoutes({ galleries }: { galleries: GalleriesService }) {
  return [
    listGalleries(galleries),
    createGallery(galleries),
    showGallery(galleries),
    updateGallery(galleries),
    deleteGallery(galleries),
  ];
}

function listGalleries(galleries: GalleriesService) {
  return defineRoute({
    method: 'get',
    path: BASE,
    access: 'gallery:read',
    summary: 'List galleries (?owner=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
    responses: { 200: z.array(galleryReply) },
    query: listGalleriesQuery,
    handler: async ({ req, actor, query }) => {
      const page = await galleries.list(actor, { ownerId: query.owner }, listOptions(query));
      return pageReply(req, page, toGalleryJson);
    },
  });
}

function createGallery(galleries: GalleriesService) {
  return defineRoute({
    method: 'post',
    path: BASE,
    access: 'gallery:create',
    summary: 'Create a gallery owned by the caller',
    responses: { 201: withMessage(galleryReply) },
    body: createGalleryBody,
    handler: async ({ actor, body, reply }) => {
      const gallery = await galleries.create(actor, body);
      return reply(201, { message: 'Gallery created successfully', ...toGalleryJson(gallery) });
    },
  });
}

function showGallery(galleries: GalleriesService) {
  return defineRoute({
    method: 'get',
    path: `${BASE}/:id`,
    access: 'gallery:read',
    summary: 'One gallery (ETag; If-None-Match → 304)',
    responses: { 200: galleryReply, 304: 'empty' },
    params: galleryParams,
    handler: async ({ req, actor, params }) => withEtag(req, toGalleryJson(await galleries.get(actor, params.id))),
  });
}

function updateGallery(galleries: GalleriesService) {
  return defineRoute({
    method: 'patch',
    path: `${BASE}/:id`,
    access: 'gallery:update',
    summary: 'Rename, describe, or change the visibility of a gallery (owner or admin)',
    responses: { 200: withMessage(galleryReply) },
    params: galleryParams,
    body: updateGalleryBody,
    handler: async ({ actor, params, body, reply }) => {
      const gallery = await galleries.update(actor, params.id, body);
      return reply(200, { message: 'Gallery updated successfully', ...toGalleryJson(gallery) });
    },
  });
}

function deleteGallery(galleries: GalleriesService) {
  return defineRoute({
    method: 'delete',
    path: `${BASE}/:id`,
    access: 'gallery:delete',
    summary: 'Delete a gallery with its images and their files (owner or admin)',
    responses: { 200: messageOnly },
    params: galleryParams,
    handler: async ({ actor, params, reply }) => {
      await galleries.remove(actor, params.id);
      return reply(200, { message: 'Gallery deleted successfully' });
    },
  });
}
