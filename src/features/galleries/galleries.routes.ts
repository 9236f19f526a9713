import { z } from 'zod';

import { sendWithEtag } from '../../http/conditional';
import { sendPage } from '../../http/pagination';
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
    defineRoute({
      method: 'get',
      path: BASE,
      access: 'gallery:read',
      summary:
        'List galleries (?owner=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
      responses: { 200: z.array(galleryReply) },
      query: listGalleriesQuery,
      handler: async ({ req, res, actor, query }) => {
        const page = await galleries.list(actor, { ownerId: query.owner }, listOptions(query));
        sendPage(req, res, page, toGalleryJson);
      },
    }),
    defineRoute({
      method: 'post',
      path: BASE,
      access: 'gallery:create',
      summary: 'Create a gallery owned by the caller',
      responses: { 201: withMessage(galleryReply) },
      body: createGalleryBody,
      handler: async ({ res, actor, body }) => {
        const gallery = await galleries.create(actor, body);
        res.status(201).json({ message: 'Gallery created successfully', ...toGalleryJson(gallery) });
      },
    }),
    defineRoute({
      method: 'get',
      path: `${BASE}/:id`,
      access: 'gallery:read',
      summary: 'One gallery (ETag; If-None-Match → 304)',
      responses: { 200: galleryReply, 304: 'empty' },
      params: galleryParams,
      handler: async ({ req, res, actor, params }) => {
        sendWithEtag(req, res, toGalleryJson(await galleries.get(actor, params.id)));
      },
    }),
    defineRoute({
      method: 'patch',
      path: `${BASE}/:id`,
      access: 'gallery:update',
      summary: 'Rename, describe, or change the visibility of a gallery (owner or admin)',
      responses: { 200: withMessage(galleryReply) },
      params: galleryParams,
      body: updateGalleryBody,
      handler: async ({ res, actor, params, body }) => {
        const gallery = await galleries.update(actor, params.id, body);
        res.json({ message: 'Gallery updated successfully', ...toGalleryJson(gallery) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${BASE}/:id`,
      access: 'gallery:delete',
      summary: 'Delete a gallery with its images and their files (owner or admin)',
      responses: { 200: messageOnly },
      params: galleryParams,
      handler: async ({ res, actor, params }) => {
        await galleries.remove(actor, params.id);
        res.json({ message: 'Gallery deleted successfully' });
      },
    }),
  ];
}
