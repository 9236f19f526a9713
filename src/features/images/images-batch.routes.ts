import type { Request } from 'express';
import { z } from 'zod';

import { baseUrlOf } from '../../http/base-url';
import { errorJson, statusOfAll } from '../../http/item-results';
import { defineRoute, type RouteSpec } from '../../http/route';
import type { Actor } from '../../shared/actor';
import { idParam } from '../../shared/ids';
import { batchUploadFields, batchUploadReply, checkBody, checkReply } from './images-batch.schemas';
import type { BatchResult, ImageBatchService } from './images-batch.service';
import { bulkBody, bulkReply } from './images-bulk.schemas';
import type { BulkResult } from './images-bulk.service';
import { toImageJson } from './images.mapper';
import { canSeeOriginal } from './images.policy';

type Deps = { batches: ImageBatchService; publicUrl?: string; originalsVisibleTo: 'owners' | 'everyone' };

/** Several files in one request, and which files (by SHA-256) are already there. */
export function imageBatchRoutes({ batches, publicUrl, originalsVisibleTo }: Deps): RouteSpec[] {
  /** A file's result as JSON: the image as a single upload's reply shows it, or the error. */
  const resultJson = (req: Request, actor: Actor) => {
    const base = baseUrlOf(req, publicUrl);
    return ({ file, status, image, error }: BatchResult) => ({
      file,
      status,
      ...(image
        ? {
            image: {
              message: status === 201 ? 'Image created successfully' : 'This gallery already has this image',
              ...toImageJson(image, base, canSeeOriginal(actor, image, originalsVisibleTo)),
            },
          }
        : {}),
      ...(error ? { error: errorJson(error) } : {}),
    });
  };
  /** A bulk result as JSON: the image as a single change's reply shows it, or the error. */
  const bulkJson = (req: Request, actor: Actor) => {
    const base = baseUrlOf(req, publicUrl);
    return ({ id, status, image, purgeAt, error }: BulkResult) => ({
      id,
      status,
      ...(image
        ? {
            image: {
              message: 'Image updated successfully',
              ...toImageJson(image, base, canSeeOriginal(actor, image, originalsVisibleTo)),
            },
          }
        : {}),
      ...(purgeAt ? { purgeAt: purgeAt.toISOString() } : {}),
      ...(error ? { error: errorJson(error) } : {}),
    });
  };
  return [uploadMany(batches, resultJson), checkHashes(batches), bulkChange(batches, bulkJson)];
}

function uploadMany(
  batches: ImageBatchService,
  resultJson: (
    req: Request,
    actor: Actor,
  ) => (result: BatchResult) => z.output<typeof batchUploadReply>['results'][number],
) {
  return defineRoute({
    method: 'post',
    path: '/api/gallery/galleries/:id/images',
    access: 'image:create',
    summary:
      'Upload several images into a gallery (multipart: image parts, title[n] and description[n] for the n-th file from 0; a title defaults to the XMP or IPTC title in the file, else its name): one result per file, in order; 200 when all succeeded, 207 otherwise',
    responses: { 200: batchUploadReply, 207: batchUploadReply },
    errors: ['NOT_FOUND'],
    upload: 'many',
    params: z.object({ id: idParam }),
    body: batchUploadFields,
    handler: async ({ req, actor, params, body, claimUploads, reply }) => {
      const outcomes = await batches.uploadMany(actor, params.id, claimUploads(), body);
      const results = outcomes.map(resultJson(req, actor));
      return reply(statusOfAll(results), { results });
    },
  });
}

function checkHashes(batches: ImageBatchService) {
  return defineRoute({
    method: 'post',
    path: '/api/gallery/images/check',
    access: 'image:read',
    summary:
      'Which of these SHA-256 hashes (at most 1000) the caller can already see, and where (image and gallery ids); only in `gallery` when given',
    responses: { 200: checkReply },
    body: checkBody,
    handler: async ({ actor, body, reply }) => {
      const found = await batches.check(actor, body.sha256, body.gallery);
      const known = new Set(found.map((hit) => hit.sha256));
      const order = new Map(body.sha256.map((hash, n) => [hash, n]));
      found.sort((a, b) => order.get(a.sha256)! - order.get(b.sha256)! || a.image - b.image);
      return reply(200, { found, missing: [...new Set(body.sha256)].filter((hash) => !known.has(hash)) });
    },
  });
}

function bulkChange(
  batches: ImageBatchService,
  bulkJson: (req: Request, actor: Actor) => (result: BulkResult) => z.output<typeof bulkReply>['results'][number],
) {
  return defineRoute({
    method: 'post',
    path: '/api/gallery/images/bulk',
    access: 'image:update',
    summary:
      'One action on up to 500 images: move (to `gallery`), trash, restore (from the trash), update (`fields`: title, description), tag or untag (`tags`). Each image is authorised and audited as a single request about it would be and gets its status and error code; one result per id, in order; 200 when all succeeded, 207 otherwise',
    responses: { 200: bulkReply, 207: bulkReply },
    errors: ['FORBIDDEN'],
    body: bulkBody,
    handler: async ({ req, actor, body, reply }) => {
      const results = (await batches.bulk(actor, body)).map(bulkJson(req, actor));
      return reply(statusOfAll(results), { results });
    },
  });
}
