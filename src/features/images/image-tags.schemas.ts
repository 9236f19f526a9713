import { z } from 'zod';

import { id } from '../../http/response-schemas';
import { idField, idParam } from '../../shared/ids';
import { normaliseTag, tagField, tagList } from './tag-names';

/** The most suggestions one request gets. */
export const MAX_SUGGESTIONS = 50;

export const tagsBody = z.strictObject({ tags: tagList(0) });
export const addTagsBody = z.strictObject({ tags: tagList(1) });
export const imageTagParams = z.object({ id: idParam, tag: tagField });

export const suggestQuery = z.object({
  q: z
    .string()
    .max(64)
    .default('')
    .transform(normaliseTag)
    .meta({ description: 'The start of a tag, normalised as tags are (case and white space do not matter)' }),
  limit: z.coerce.number().int().min(1).max(MAX_SUGGESTIONS).default(10),
});

export const suggestReply = z.array(
  z.strictObject({
    id,
    name: z.string(),
    count: z
      .number()
      .int()
      .positive()
      .meta({ description: 'How many images the caller can see (live, in galleries they may see) carry it' }),
  }),
);

export const tagParams = z.object({ id: idParam });
export const renameTagBody = z.strictObject({ name: tagField });
export const mergeTagBody = z.strictObject({ into: idField('The tag to merge into: its id.') });

export const tagReply = z.strictObject({
  message: z.string(),
  id,
  name: z.string(),
  merged: z.boolean().meta({ description: 'Whether the tag was merged into another one (which is the tag shown)' }),
});
