import { z } from 'zod';

import { errorReply, timestamp, withMessage } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idField } from '../../shared/ids';
import { imageReply } from '../images';

/** An upload's id: 32 lowercase hex characters, as the server makes them. */
export const UPLOAD_ID = /^[a-f0-9]{32}$/;

/**
 * The Upload-Metadata of a new upload, decoded: the same fields, with the same rules, as a
 * multipart upload's form. `title` may come as `filename` (what tus clients send by themselves).
 */
export const uploadMetadata = z
  .object({
    gallery: idField('A gallery id is required: a whole number from 1, in decimal digits.'),
    title: z.string().optional(),
    filename: z.string().optional(),
    description: textField().default(''),
  })
  .transform(({ filename, title, ...rest }, ctx) => {
    const named = nameField().safeParse(title?.trim() ? title : (filename ?? title));
    if (!named.success) {
      for (const issue of named.error.issues) ctx.addIssue({ code: 'custom', path: ['title'], message: issue.message });
      return z.NEVER;
    }
    return { ...rest, title: named.data };
  });

export type UploadMetadata = z.output<typeof uploadMetadata>;

export const uploadParams = z.object({ id: z.string().regex(UPLOAD_ID) });

/** What became of a finished upload: the reply a multipart upload of the same file gets. */
export const uploadResult = z.strictObject({
  status: z
    .number()
    .int()
    .meta({ description: 'The HTTP status of the result: 201, 200 (already there), or an error' }),
  body: z.union([withMessage(imageReply), errorReply]),
});

export const uploadReply = z.strictObject({
  id: z.string(),
  state: z.enum(['receiving', 'complete', 'processing', 'done']).meta({
    description:
      'receiving: bytes are awaited; complete: every byte is in, the image is not made yet (PATCH with Upload-Offset = length and no body makes it); processing: it is being made; done: `result` holds what became of it',
  }),
  gallery: z.number().int(),
  title: z.string(),
  length: z.number().int(),
  offset: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'Bytes received so far (null when the store cannot tell now)' }),
  expiresAt: timestamp,
  result: uploadResult.nullable(),
});
