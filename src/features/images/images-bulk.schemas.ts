import { z } from 'zod';

import { errorReply, withMessage } from '../../http/response-schemas';
import { idField } from '../../shared/ids';
import { createImageBody, imageReply, updateImageBody } from './images.schemas';
import { tagList } from './tag-names';

/** The most images one bulk request names. */
export const MAX_BULK_IDS = 500;

const ids = z
  .array(idField('An image id is a whole number from 1, in decimal digits.'))
  .min(1)
  .max(MAX_BULK_IDS)
  .refine((list) => new Set(list).size === list.length, { message: 'Name each image once.' });

const fields = updateImageBody
  .pick({ title: true, description: true })
  .strict()
  .refine((value) => value.title !== undefined || value.description !== undefined, {
    message: 'Send at least one of: title, description.',
  });

export const bulkBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('move'), ids, gallery: createImageBody.shape.gallery }),
  z.strictObject({ action: z.literal('trash'), ids }),
  z.strictObject({ action: z.literal('restore'), ids }),
  z.strictObject({ action: z.literal('update'), ids, fields }),
  z.strictObject({ action: z.literal('tag'), ids, tags: tagList(1) }),
  z.strictObject({ action: z.literal('untag'), ids, tags: tagList(1) }),
]);

export type BulkBody = z.output<typeof bulkBody>;

export const bulkReply = z.strictObject({
  results: z.array(
    z.strictObject({
      id: z.number().int(),
      status: z.number().int().meta({ description: 'The status a single request about this image would have had' }),
      image: withMessage(imageReply)
        .optional()
        .meta({ description: 'After a move, an update, a tag or an untag: the image as it is now' }),
      purgeAt: z
        .string()
        .optional()
        .meta({ description: 'After a move to the trash: when it will be deleted for good' }),
      error: errorReply.optional(),
    }),
  ),
});
