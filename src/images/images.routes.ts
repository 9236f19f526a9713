import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { AppError } from '../http/errors';
import { sendPage } from '../http/pagination';
import { create as contentDisposition } from 'content-disposition';
import { EXTENSIONS, type ImageMimeType } from './image-inspection';
import { sendWithEtag } from '../http/conditional';
import { listOptions } from '../http/listing';
import { defineRoute, type Method, type RouteSpec } from '../http/route';
import { z } from 'zod';
import { messageOnly, withMessage } from '../http/response-schemas';
import { createImageBody, imageParams, imageReply, listImagesQuery, updateImageBody } from './images.schemas';
import { fileVersion, toImageJson } from './images.mapper';
import type { ImagesService } from './images.service';
import type { AuditLog } from '../audit/audit.log';
import { claimUpload } from '../http/upload';

const FULL = '/api/gallery/images';

/** A file name from the title: no path separators or control characters, the real extension. */
function downloadName(title: string, mimeType: string): string {
  const base = title.replace(/[\\/\u0000-\u001f\u007f"\s]+/g, ' ').trim().slice(0, 100) || 'image';
  return `${base}.${EXTENSIONS[mimeType as ImageMimeType] ?? 'bin'}`;
}
const VIEW = '/api/gallery/view-images';

export function imageRoutes({ images, audit, publicUrl }: { images: ImagesService; audit: AuditLog; publicUrl?: string }): RouteSpec[] {
  const baseUrl = (req: Request) => publicUrl ?? `${req.protocol}://${req.get('host')}`;

  const list = (path: string, access: 'image:manage' | 'image:read') =>
    defineRoute({
      method: 'get',
      path,
      access,
      summary: 'List images (?gallery=, ?uploader=, ?q=, ?created_after=, ?created_before=, ?sort=, ?limit=, ?cursor=, ?count=true)',
      responses: { 200: z.array(imageReply) },
      query: listImagesQuery,
      handler: async ({ req, res, query }) => {
        const page = await images.list({ galleryId: query.gallery, uploaderId: query.uploader }, listOptions(query));
        const base = baseUrl(req);
        sendPage(req, res, page, (row) => toImageJson(row, base));
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
      handler: async ({ req, res, params }) => {
        sendWithEtag(req, res, toImageJson(await images.get(params.id), baseUrl(req)));
      },
    });

  const update = (method: Method, path: string) =>
    defineRoute({
      method,
      path,
      access: 'image:update',
      summary: 'Change title, description, gallery or file (uploader, gallery owner or admin)',
      responses: { 200: withMessage(imageReply) },
      upload: true,
      params: imageParams,
      body: updateImageBody,
      handler: async ({ req, res, actor, params, body }) => {
        const file = claimUpload(req, res);
        const image = await images.update(actor, params.id, body, file);
        const detail = file ? `new file ${image.mimeType} ${image.size} bytes` : `fields=${Object.keys(body).join(',')}`;
        await audit.record(req, { action: 'image.update', actor, target: { type: 'image', id: image.id }, detail });
        res.json({ message: 'Image updated successfully', ...toImageJson(image, baseUrl(req)) });
      },
    });

  const remove = (path: string) =>
    defineRoute({
      method: 'delete',
      path,
      access: 'image:delete',
      summary: 'Delete an image and its file (uploader, gallery owner or admin)',
      responses: { 200: messageOnly },
      params: imageParams,
      handler: async ({ req, res, actor, params }) => {
        await images.remove(actor, params.id);
        await audit.record(req, { action: 'image.delete', actor, target: { type: 'image', id: params.id } });
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
      summary: 'Upload an image into a gallery the caller owns (multipart: title, description, gallery, image)',
      responses: { 201: withMessage(imageReply) },
      upload: true,
      body: createImageBody,
      handler: async ({ req, res, actor, body }) => {
        const image = await images.create(actor, body, claimUpload(req, res));
        await audit.record(req, { action: 'image.upload', actor, target: { type: 'image', id: image.id }, detail: `${image.mimeType} ${image.size} bytes` });
        res.status(201).json({ message: 'Image created successfully', ...toImageJson(image, baseUrl(req)) });
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
      summary: 'The image file itself',
      responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
      errors: ['RANGE_NOT_SATISFIABLE'],
      params: imageParams,
      handler: async ({ req, res, params }) => {
        // One byte range is served (206); a malformed or multi-part Range gets the whole file.
        const wanted = (size: number) => {
          if (!req.headers.range || size === 0) return undefined;
          const ranges = req.range(size, { combine: true });
          if (ranges === -1) throw new AppError('RANGE_NOT_SATISFIABLE', undefined, { headers: { 'Content-Range': `bytes */${size}` } });
          return Array.isArray(ranges) && ranges.length === 1 ? { start: ranges[0].start, end: ranges[0].end } : undefined;
        };
        const { image, stream, size, range } = await images.openFile(params.id, wanted);
        res.set({
          'Content-Type': image.mimeType,
          'X-Content-Type-Options': 'nosniff',
          'Content-Security-Policy': "default-src 'none'",
          // The versioned URL from the image's JSON never changes content: cache it for good.
          'Cache-Control': req.query.v === fileVersion(image.sha256) ? 'private, max-age=31536000, immutable' : 'private, no-cache',
          'Accept-Ranges': 'bytes',
          'Content-Disposition': contentDisposition(downloadName(image.title, image.mimeType), { type: 'inline' }),
          ETag: `"${image.sha256}"`,
        });
        if (req.fresh || req.method === 'HEAD') {
          stream.destroy();
          if (req.fresh) res.status(304).end();
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
