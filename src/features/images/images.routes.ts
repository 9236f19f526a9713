import type { Request } from 'express';
import { z } from 'zod';

import { sendWithEtag } from '../../http/conditional';
import { sendPage } from '../../http/pagination';
import { messageOnly, withMessage } from '../../http/response-schemas';
import { defineRoute, type Method, type RouteSpec } from '../../http/route';
import { claimUpload } from '../../http/upload';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import { listOptions } from '../../shared/paging';
import { byteRangeOf, sendImageFile } from './image-reply';
import { fileVersion, toImageJson } from './images.mapper';
import { canSeeOriginal } from './images.policy';
import type { ImageRow } from './images.repository';
import {
  createImageBody,
  fileQuery,
  imageParams,
  imageReply,
  listImagesQuery,
  sha256Params,
  updateImageBody,
} from './images.schemas';
import type { ImagesService } from './images.service';

const FULL = '/api/gallery/images';

const VIEW = '/api/gallery/view-images';

type ImageRouteDeps = { images: ImagesService; publicUrl?: string; originalsVisibleTo: 'owners' | 'everyone' };

export function imageRoutes({ images, publicUrl, originalsVisibleTo }: ImageRouteDeps): RouteSpec[] {
  const baseUrl = (req: Request) => publicUrl ?? `${req.protocol}://${req.get('host')}`;
  /** The image's JSON as this caller sees it. */
  const jsonFor = (req: Request, actor: Actor) => {
    const base = baseUrl(req);
    return (image: ImageRow) => toImageJson(image, base, canSeeOriginal(actor, image, originalsVisibleTo));
  };

  const list = (path: string, access: 'image:manage' | 'image:read') =>
    defineRoute({
      method: 'get',
      path,
      access,
      summary:
        'List images (?gallery=, ?uploader=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
      responses: { 200: z.array(imageReply) },
      query: listImagesQuery,
      handler: async ({ req, res, actor, query }) => {
        const page = await images.list(
          actor,
          { galleryId: query.gallery, uploaderId: query.uploader },
          listOptions(query),
        );
        sendPage(req, res, page, jsonFor(req, actor));
      },
    });

  const show = (path: string, access: 'image:manage' | 'image:read') =>
    defineRoute({
      method: 'get',
      path,
      access,
      summary: 'One image (ETag; If-None-Match → 304)',
      responses: { 200: imageReply, 304: 'empty' },
      params: imageParams,
      handler: async ({ req, res, actor, params }) => {
        sendWithEtag(req, res, jsonFor(req, actor)(await images.get(actor, params.id)));
      },
    });

  const update = (method: Method, path: string) =>
    defineRoute({
      method,
      path,
      access: 'image:update',
      summary:
        'Change title, description, gallery or file (gallery owner, its editors or admin); a move to another gallery only by the gallery owner, the uploader or an admin',
      responses: { 200: withMessage(imageReply) },
      errors: ['CONFLICT'],
      upload: true,
      params: imageParams,
      body: updateImageBody,
      handler: async ({ req, res, actor, params, body }) => {
        const file = claimUpload(req, res);
        const image = await images.update(actor, params.id, body, file);
        res.json({ message: 'Image updated successfully', ...jsonFor(req, actor)(image) });
      },
    });

  const remove = (path: string) =>
    defineRoute({
      method: 'delete',
      path,
      access: 'image:delete',
      summary:
        'Delete an image and its file (gallery owner, its editors or admin); 409 when another request changed its file meanwhile',
      responses: { 200: messageOnly },
      errors: ['CONFLICT'],
      params: imageParams,
      handler: async ({ res, actor, params }) => {
        await images.remove(actor, params.id);
        res.json({ message: 'Image deleted successfully' });
      },
    });

  const viewOnlyWrite = (method: Method, path: string) =>
    defineRoute({
      method,
      path,
      access: 'authenticated',
      summary: 'Refused: the view-only endpoints never change anything',
      responses: {},
      handler: () => {
        throw new AppError('FORBIDDEN', 'No permission to perform this action');
      },
    });

  return [
    list(FULL, 'image:manage'),
    defineRoute({
      method: 'post',
      path: FULL,
      access: 'image:create',
      summary:
        'Upload an image into a gallery the caller owns (multipart: title, description, gallery, image); the same bytes again in that gallery → 200 with the image already there',
      responses: { 201: withMessage(imageReply), 200: withMessage(imageReply) },
      upload: true,
      body: createImageBody,
      errors: ['CONFLICT'],
      handler: async ({ req, res, actor, body }) => {
        const { image, created } = await images.create(actor, body, claimUpload(req, res));
        if (!created) {
          res.status(200).json({ message: 'This gallery already has this image', ...jsonFor(req, actor)(image) });
          return;
        }
        res.status(201).json({ message: 'Image created successfully', ...jsonFor(req, actor)(image) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/gallery/galleries/:id/images/:sha256',
      access: 'image:read',
      summary:
        'Is an image with this SHA-256 already in the gallery? 200 with it, or 404 (HEAD works too: ask before uploading)',
      responses: { 200: imageReply },
      params: sha256Params,
      handler: async ({ req, res, actor, params }) => {
        const image = await images.findBySha256(actor, params.id, params.sha256);
        if (!image) throw new AppError('NOT_FOUND', 'No image with that SHA-256 in this gallery');
        res.json(jsonFor(req, actor)(image));
      },
    }),
    show(`${FULL}/:id`, 'image:manage'),
    show(`${FULL}/:id/update`, 'image:manage'),
    show(`${FULL}/:id/delete`, 'image:manage'),
    update('put', `${FULL}/:id`),
    update('patch', `${FULL}/:id`),
    update('put', `${FULL}/:id/update`),
    update('patch', `${FULL}/:id/update`),
    remove(`${FULL}/:id`),
    remove(`${FULL}/:id/delete`),
    defineRoute({
      method: 'get',
      path: `${FULL}/:id/file`,
      access: 'image:read',
      summary:
        'The image file: ?size=thumb|preview|original (default: the original for its uploader, the gallery owner and admins, the preview for other viewers)',
      responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
      errors: ['RANGE_NOT_SATISFIABLE'],
      params: imageParams,
      query: fileQuery,
      handler: async ({ req, res, actor, params, query }) => {
        const file = await images.openFile(actor, params.id, query.size, byteRangeOf(req));
        await sendImageFile(req, res, file, {
          // The versioned URL from the image's JSON never changes content: cache it for good.
          'Cache-Control':
            query.v === fileVersion(file.image.storageKey)
              ? 'private, max-age=31536000, immutable'
              : 'private, no-cache',
          Vary: 'Authorization',
        });
      },
    }),
    list(VIEW, 'image:read'),
    show(`${VIEW}/:id`, 'image:read'),
    show(`${VIEW}/:id/update`, 'image:read'),
    show(`${VIEW}/:id/delete`, 'image:read'),
    ...[VIEW, `${VIEW}/:id`, `${VIEW}/:id/update`, `${VIEW}/:id/delete`].flatMap((path) =>
      (['post', 'put', 'patch', 'delete'] as const).map((method) => viewOnlyWrite(method, path)),
    ),
  ];
}
