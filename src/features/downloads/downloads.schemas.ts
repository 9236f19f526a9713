import { z } from 'zod';

import { idField, idParam } from '../../shared/ids';

/** The most images one selection may name. */
export const MAX_SELECTED = 500;

const imageId = idField('An image id is a whole number from 1, in decimal digits.');

export const galleryZipParams = z.object({ id: idParam });

export const galleryZipQuery = z.object({
  part: z.coerce.number().int().min(1).max(100_000).optional().meta({
    description:
      'Which part of a gallery larger than ZIP_MAX_IMAGES: 1 for its oldest images, 2 for the next ones, and so on',
  }),
});

/** Ids in the order given, each once. */
const distinct = (ids: number[]) => [...new Set(ids)];

export const selectionZipQuery = z.object({
  ids: z
    .string()
    .max(MAX_SELECTED * 11)
    .transform((value, ctx) => {
      const parts = value.split(',').map((part) => part.trim());
      const ids: number[] = [];
      for (const part of parts) {
        const parsed = imageId.safeParse(part);
        if (!parsed.success) {
          ctx.addIssue({ code: 'custom', message: `"${part.slice(0, 20)}" is not an image id.` });
          return z.NEVER;
        }
        ids.push(parsed.data);
      }
      return distinct(ids);
    })
    .pipe(z.array(z.number()).min(1).max(MAX_SELECTED))
    .meta({ description: `Image ids, separated by commas (at most ${MAX_SELECTED})` }),
});

export const selectionZipBody = z.strictObject({
  ids: z
    .array(imageId)
    .min(1)
    .max(MAX_SELECTED)
    .transform(distinct)
    .meta({ description: `The images to download, in this order (at most ${MAX_SELECTED})` }),
});

/** A key is any text: one that is not a link's is the same 404 as a wrong key (the service decides). */
export const shareZipParams = z.object({ key: z.string() });
