import { z } from 'zod';

import { errorReply, withMessage } from '../../http/response-schemas';
import { idField } from '../../shared/ids';
import { createImageBody, imageReply } from './images.schemas';

/** The most hashes one check may ask about. */
export const MAX_CHECKED_HASHES = 1000;
/** The highest file position a `title[n]` field may name (MAX_FILES_PER_REQUEST's own limit). */
const MAX_POSITION = 1000;

/** One file's title and description, as a single upload checks them. */
export const batchFileFields = createImageBody.pick({ title: true, description: true });

/**
 * `title[0]`, `title[1]`… (or `title[]` repeated): one per file, by its place among the files from
 * 0; gaps allowed. The values are checked per file (a bad title fails only its file).
 */
const byPosition = (name: string) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx): (string | undefined)[] => {
      const refuse = () => {
        ctx.addIssue({
          code: 'custom',
          message: `Name the fields ${name}[0], ${name}[1]…: by the file's place, from 0.`,
        });
        return z.NEVER;
      };
      if (value === undefined) return [];
      if (!Array.isArray(value) || value.length > MAX_POSITION) return refuse();
      const out: (string | undefined)[] = [];
      for (const [position, text] of Object.entries(value)) {
        if (typeof text !== 'string') return refuse();
        out[Number(position)] = text;
      }
      return out;
    });

export const batchUploadFields = z.strictObject({ title: byPosition('title'), description: byPosition('description') });

export const batchUploadReply = z.strictObject({
  results: z.array(
    z.strictObject({
      file: z.string().meta({ description: 'The file name the client sent' }),
      status: z.number().int().meta({ description: 'The status a single upload of this file would have had' }),
      image: withMessage(imageReply).optional(),
      error: errorReply.optional(),
    }),
  ),
});

const sha256 = z
  .string()
  .regex(/^[a-fA-F0-9]{64}$/, 'A SHA-256 in hex (64 characters).')
  .transform((value) => value.toLowerCase());

export const checkBody = z.strictObject({
  gallery: idField('A gallery id is a whole number from 1, in decimal digits.').optional(),
  sha256: z.array(sha256).min(1).max(MAX_CHECKED_HASHES),
});

const hit = z.strictObject({ sha256: z.string(), image: z.number().int(), gallery: z.number().int() });

export const checkReply = z.strictObject({
  found: z
    .array(hit)
    .meta({ description: 'Each image the caller can see with one of the hashes (a hash may be in several galleries)' }),
  missing: z.array(z.string()).meta({ description: 'The hashes of no image the caller can see' }),
});
