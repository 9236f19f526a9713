import type { Request } from 'express';
import { z } from 'zod';

import { baseUrlOf } from '../../http/base-url';
import { withEtag } from '../../http/conditional';
import { pageReply, pageTextReply } from '../../http/pagination';
import { withMessage } from '../../http/response-schemas';
import { defineRoute, type Method, type RouteSpec } from '../../http/route';
import type { Actor } from '../../shared/actor';
import { AppError } from '../../shared/errors';
import { listOptions } from '../../shared/paging';
import { deleteReply, deleteReplyOf } from '../galleries';
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

/** What the routes use: the service, and the image's JSON as the caller sees it. */
type ImageRoutes = {
  images: ImagesService;
  jsonFor: (req: Request, actor: Actor) => (image: ImageRow) => ReturnType<typeof toImageJson>;
  baseUrl: (req: Request) => string;
  pageJson: 'database' | 'server';
};

type ImageRouteDeps = {
  images: ImagesService;
  publicUrl?: string;
  originalsVisibleTo: 'owners' | 'everyone';
  pageJson: 'database' | 'server';
};

export function imageRoutes({ images, publicUrl, originalsVisibleTo, pageJson }: ImageRouteDeps): RouteSpec[] {
  const baseUrl = (req: Request) => baseUrlOf(req, publicUrl);
  /** The image's JSON as this caller sees it. */
  const jsonFor = (req: Request, actor: Actor) => {
    const base = baseUrl(req);
    return (image: ImageRow) => toImageJson(image, base, canSeeOriginal(actor, image, originalsVisibleTo));
  };
  const routes: ImageRoutes = { images, jsonFor, baseUrl, pageJson };
  return [
    listImages(routes, FULL, 'image:manage'),
    createImage(routes),
    findImageBySha256(routes),
    showImage(routes, `${FULL}/:id`, 'image:manage'),
    showImage(routes, `${FULL}/:id/update`, 'image:manage'),
    showImage(routes, `${FULL}/:id/delete`, 'image:manage'),
    updateImage(routes, 'put', `${FULL}/:id`),
    updateImage(routes, 'patch', `${FULL}/:id`),
    updateImage(routes, 'put', `${FULL}/:id/update`),
    updateImage(routes, 'patch', `${FULL}/:id/update`),
    removeImage(routes, `${FULL}/:id`),
    removeImage(routes, `${FULL}/:id/delete`),
    imageFile(routes),
    listImages(routes, VIEW, 'image:read'),
    showImage(routes, `${VIEW}/:id`, 'image:read'),
    showImage(routes, `${VIEW}/:id/update`, 'image:read'),
    showImage(routes, `${VIEW}/:id/delete`, 'image:read'),
    ...[VIEW, `${VIEW}/:id`, `${VIEW}/:id/update`, `${VIEW}/:id/delete`].flatMap((path) =>
      (['post', 'put', 'patch', 'delete'] as const).map((method) => refuseViewOnlyWrite(method, path)),
    ),
  ];
}

function listImages(
  { images, jsonFor, baseUrl, pageJson }: ImageRoutes,
  path: string,
  access: 'image:manage' | 'image:read',
) {
  return defineRoute({
    method: 'get',
    path,
    access,
    summary:
      'List images (?gallery=, ?uploader=, ?q= full-text, ?tag= (repeatable), ?takenFrom=, ?takenTo=, ?camera=, ?favorite=, ?created_after=, ?created_before=, ?limit=, ?cursor=, ?count=true); ?sort=-created (newest added first, the default), created, title, -title, taken or -taken (date taken; undated last when newest first), equal keys in id order',
    responses: { 200: z.array(imageReply) },
    query: listImagesQuery,
    handler: async ({ req, actor, query }) => {
      const filter = {
        galleryId: query.gallery,
        uploaderId: query.uploader,
        tags: query.tag,
        takenFrom: query.takenFrom,
        takenTo: query.takenTo,
        camera: query.camera,
        ...(query.favorite === undefined ? {} : { favoriteOf: { userId: actor.id, starred: query.favorite } }),
      };
      // PAGE_JSON: the page's JSON written by the database, or rows serialised here (the same bytes).
      if (pageJson === 'database') {
        return pageTextReply(req, await images.listJson(actor, filter, listOptions(query), baseUrl(req)));
      }
      return pageReply(req, await images.list(actor, filter, listOptions(query)), jsonFor(req, actor));
    },
  });
}

function showImage({ images, jsonFor }: ImageRoutes, path: string, access: 'image:manage' | 'image:read') {
  return defineRoute({
    method: 'get',
    path,
    access,
    summary: 'One image (ETag; If-None-Match → 304)',
    responses: { 200: imageReply, 304: 'empty' },
    params: imageParams,
    handler: async ({ req, actor, params }) => withEtag(req, jsonFor(req, actor)(await images.get(actor, params.id))),
  });
}

function updateImage({ images, jsonFor }: ImageRoutes, method: Method, path: string) {
  return defineRoute({
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
    handler: async ({ req, actor, params, body, claimUpload, reply }) => {
      const image = await images.update(actor, params.id, body, claimUpload());
      return reply(200, { message: 'Image updated successfully', ...jsonFor(req, actor)(image) });
    },
  });
}

function removeImage({ images }: ImageRoutes, path: string) {
  return defineRoute({
    method: 'delete',
    path,
    access: 'image:delete',
    summary:
      'Delete an image (gallery owner, its editors or admin): it goes to the trash, restorable for TRASH_DAYS (with TRASH_DAYS=0 it and its files are deleted for good); 409 when another request changed its file meanwhile',
    responses: { 200: deleteReply },
    errors: ['CONFLICT'],
    params: imageParams,
    handler: async ({ actor, params, reply }) => {
      const outcome = await images.remove(actor, params.id);
      return reply(200, deleteReplyOf('Image deleted successfully', outcome));
    },
  });
}

function refuseViewOnlyWrite(method: Method, path: string) {
  return defineRoute({
    method,
    path,
    access: 'authenticated',
    summary: 'Refused: the view-only endpoints never change anything',
    responses: {},
    handler: () => {
      throw new AppError('FORBIDDEN', 'No permission to perform this action');
    },
  });
}

function createImage({ images, jsonFor }: ImageRoutes) {
  return defineRoute({
    method: 'post',
    path: FULL,
    access: 'image:create',
    summary:
      'Upload an image into a gallery the caller owns (multipart: title, description, gallery, image); the same bytes again in that gallery → 200 with the image already there',
    responses: { 201: withMessage(imageReply), 200: withMessage(imageReply) },
    upload: true,
    body: createImageBody,
    errors: ['CONFLICT'],
    handler: async ({ req, actor, body, claimUpload, reply }) => {
      const { image, created } = await images.create(actor, body, claimUpload());
      const json = jsonFor(req, actor)(image);
      return created
        ? reply(201, { message: 'Image created successfully', ...json })
        : reply(200, { message: 'This gallery already has this image', ...json });
    },
  });
}

function findImageBySha256({ images, jsonFor }: ImageRoutes) {
  return defineRoute({
    method: 'get',
    path: '/api/gallery/galleries/:id/images/:sha256',
    access: 'image:read',
    summary:
      'Is an image with this SHA-256 already in the gallery? 200 with it, or 404 (HEAD works too: ask before uploading)',
    responses: { 200: imageReply },
    params: sha256Params,
    handler: async ({ req, actor, params, reply }) => {
      const image = await images.findBySha256(actor, params.id, params.sha256);
      if (!image) throw new AppError('NOT_FOUND', 'No image with that SHA-256 in this gallery');
      return reply(200, jsonFor(req, actor)(image));
    },
  });
}

function imageFile({ images }: ImageRoutes) {
  return defineRoute({
    method: 'get',
    path: `${FULL}/:id/file`,
    access: 'image:read',
    summary:
      'The image file: ?size=thumb|preview|original (default: the original for its uploader, the gallery owner and admins, the preview for other viewers)',
    responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
    errors: ['RANGE_NOT_SATISFIABLE'],
    params: imageParams,
    query: fileQuery,
    handler: async ({ req, actor, params, query }) => {
      const file = await images.openFile(actor, params.id, query.size, byteRangeOf(req));
      // The versioned URL from the image's JSON never changes content: cache it for good.
      const immutable = query.v === fileVersion(file.image.storageKey);
      const headers = {
        'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
        Vary: 'Authorization',
      };
      return { stream: (res) => sendImageFile(req, res, file, headers) };
    },
  });
}
