import { z } from 'zod';

import { errorReply } from '../../http/response-schemas';
import { idField } from '../../shared/ids';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../shared/paging';
import { MAX_RESTORED } from './trash.service';

export const trashQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'Invalid cursor')
    .optional(),
});

const ids = (what: string) =>
  z
    .array(idField(`An ${what} id is a whole number from 1.`))
    .max(MAX_RESTORED)
    .default([])
    .transform((list) => [...new Set(list)]);

export const restoreBody = z
  .strictObject({ images: ids('image'), galleries: ids('gallery') })
  .refine((body) => body.images.length + body.galleries.length > 0, {
    message: `Name the images and galleries to restore (1 to ${MAX_RESTORED} ids in all).`,
  })
  .refine((body) => body.images.length + body.galleries.length <= MAX_RESTORED, {
    message: `At most ${MAX_RESTORED} ids in all.`,
  });

const when = z.string().meta({ description: 'ISO 8601' });
const trashedBy = z
  .strictObject({ id: z.number().int(), username: z.string().nullable() })
  .nullable()
  .meta({ description: 'Who put it in the trash (username null when that account is gone)' });
const common = {
  id: z.number().int(),
  trashedAt: when,
  purgeAt: when.meta({ description: 'When it will be deleted for good (ISO 8601)' }),
  trashedBy,
  canDeleteForever: z
    .boolean()
    .meta({ description: 'Whether the caller may delete it for good (gallery owner, admin)' }),
};

export const trashEntry = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('image'),
    ...common,
    title: z.string(),
    gallery: z.strictObject({ id: z.number().int(), name: z.string() }),
    size: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    thumbhash: z.string().nullable(),
  }),
  z.strictObject({
    type: z.literal('gallery'),
    ...common,
    name: z.string(),
    imageCount: z.number().int().meta({ description: 'Its images that come back with it' }),
  }),
]);

export const restoreReply = z.strictObject({
  results: z.array(
    z.strictObject({
      type: z.enum(['image', 'gallery']),
      id: z.number().int(),
      status: z.number().int().meta({ description: '200 restored; otherwise the status of the refusal' }),
      error: errorReply.optional(),
    }),
  ),
});

export const emptyReply = z.strictObject({
  message: z.string(),
  images: z.number().int().meta({ description: 'Images deleted for good' }),
  galleries: z.number().int().meta({ description: 'Galleries deleted for good, with their images' }),
  remaining: z.number().int().meta({
    description:
      'Items this request did not reach (one request deletes at most 500 items, for at most 10 seconds): empty the trash again to go on',
  }),
});
