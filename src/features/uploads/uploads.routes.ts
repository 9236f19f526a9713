import type { z } from 'zod';

import { defineRoute, type RouteSpec } from '../../http/route';
import { uploadParams, uploadReply, uploadResult } from './uploads.schemas';
import type { UploadsService } from './uploads.service';

/** The routes of the uploads feature in the route table; the tus protocol itself is uploads.protocol.ts. */
export function uploadRoutes({ uploads }: { uploads: UploadsService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/uploads/:id/result',
      access: 'image:create',
      summary:
        'Where a resumable (tus) upload of the caller stands, and once done its result: the reply a multipart upload of the file gets (the image, or the error)',
      responses: { 200: uploadReply },
      params: uploadParams,
      handler: async ({ actor, params, reply }) => {
        const { row, offset, result } = await uploads.describe(actor, params.id);
        return reply(200, {
          id: row.id,
          state: row.state,
          gallery: row.galleryId,
          title: row.title,
          length: row.length,
          offset,
          expiresAt: row.expiresAt.toISOString(),
          // The body is what the route that made it answered, checked against its schema then.
          result: result as z.output<typeof uploadResult> | null,
        });
      },
    }),
  ];
}
