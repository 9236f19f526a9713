import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { AppError } from '../../shared/errors';
import { sendPage } from '../../http/pagination';
import { create as contentDisposition } from 'content-disposition';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import { notModified, sendWithEtag } from '../../http/conditional';
import { listOptions } from '../../shared/paging';
import { defineRoute, type Method, type RouteSpec } from '../../http/route';
import { z } from 'zod';
import { messageOnly, withMessage } from '../../http/response-schemas';
import { createImageBody, fileQuery, imageParams, imageReply, listImagesQuery, sha256Params, updateImageBody } from './images.schemas';
import { canSeeOriginal } from './images.policy';
import type { Actor } from '../../shared/actor';
import type { ImageRow } from './images.repository';
import { fileVersion, toImageJson } from './images.mapper';
import type { ImagesService } from './images.service';
import { claimUpload } from '../../http/upload';

const FULL = '/api/gallery/images';

/** A file name from the title: no path separators or control characters, the real extension. */
function downloadName(title: string, mimeType: string, size: string): string {
  // Slashes, quotes, white space and C0 control characters and DEL (\p{Cc} less the C1 range).
  const base = title.replace(/(?:[\\/"\s]|(?![\u0080-\u009f])\p{Cc})+/gu, ' ').trim().slice(0, 100) || 'image';
  const suffix = size === 'original' ? '' : ` (${size})`;
  return `${base}${suffix}.${EXTENSIONS[mimeType as ImageMimeType] ?? 'bin'}`;
}
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
      summary: 'List images (?gallery=, ?uploader=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
      responses: { 200: z.array(imageReply) },
      query: listImagesQuery,
      handler: async ({ req, res, actor, query }) => {
        const page = await images.list(actor, { galleryId: query.gallery, uploaderId: query.uploader }, listOptions(query));
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
      summary: 'Change title, description, gallery or file (uploader, gallery owner or admin)',
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
      summary: 'Delete an image and its file (uploader, gallery owner, its editors or admin); 409 when another request changed its file meanwhile',
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
      summary: 'Upload an image into a gallery the caller owns (multipart: title, description, gallery, image); the same bytes again in that gallery → 200 with the image already there',
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
      summary: 'Is an image with this SHA-256 already in the gallery? 200 with it, or 404 (HEAD works too: ask before uploading)',
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
      summary: 'The image file: ?size=thumb|preview|original (default: the original for its uploader, the gallery owner and admins, the preview for other viewers)',
      responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
      errors: ['RANGE_NOT_SATISFIABLE'],
      params: imageParams,
      query: fileQuery,
      handler: async ({ req, res, actor, params, query }) => {
        // One byte range is served (206); a malformed or multi-part Range gets the whole file.
        const wanted = (size: number) => {
          if (!req.headers.range || size === 0) return undefined;
          const ranges = req.range(size, { combine: true });
          if (ranges === -1) throw new AppError('RANGE_NOT_SATISFIABLE', undefined, { headers: { 'Content-Range': `bytes */${size}` } });
          return Array.isArray(ranges) && ranges.length === 1 ? { start: ranges[0].start, end: ranges[0].end } : undefined;
        };
        const file = await images.openFile(actor, params.id, query.size, wanted);
        const { image, stream, size, range } = file;
        const etag = file.variant === 'original' ? `"${image.sha256}"` : `"${image.sha256}.${file.variant}"`;
        res.set({
          'Content-Type': file.mimeType,
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'",
          // The versioned URL from the image's JSON never changes content: cache it for good.
          'Cache-Control': query.v === fileVersion(image.sha256) ? 'private, max-age=31536000, immutable' : 'private, no-cache',
          'Accept-Ranges': 'bytes',
          'Content-Disposition': contentDisposition(downloadName(image.title, file.mimeType, file.variant), { type: 'inline' }),
          ETag: etag,
          Vary: 'Authorization',
        });
        const unchanged = notModified(req, etag);
        if (unchanged || req.method === 'HEAD') {
          stream.destroy();
          if (unchanged) res.status(304).end();
          else res.set('Content-Length', String(size)).end();
          return;
        }
        if (range) {
          res.status(206).set({ 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) });
        } else {
          res.set('Content-Length', String(size));
        }
        await pipeline(stream, res).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
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
