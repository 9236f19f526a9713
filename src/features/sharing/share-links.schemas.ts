import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { idParam } from '../../shared/ids';
import { listQuery, pageQuery } from '../../shared/paging';

export const galleryLinksParams = z.object({ id: idParam });
export const galleryLinkParams = z.object({ id: idParam, linkId: idParam });

/**
 * A key is any text here: one that is not ours is the same 404 as a wrong key, and counts as a
 * failure like one (the service decides, not the parameter check).
 */
const key = z.string();
export const shareParams = z.object({ key });
export const shareFileParams = z.object({ key, imageId: idParam });

/** Links are new to this API: unknown fields are refused, not ignored. */
export const createLinkBody = z.strictObject({
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) > Date.now(), 'Must be in the future.')
    .transform((value) => new Date(value))
    .optional()
    .meta({ description: 'When the link stops working (ISO 8601, in the future); none: it does not expire' }),
  password: z
    .string()
    .min(8)
    .max(200)
    .regex(/^[\x20-\x7e]+$/, 'Printable ASCII characters only: the password travels in an HTTP header.')
    .optional()
    .meta({ description: 'Visitors must send it in the X-Share-Password header (stored with bcrypt)' }),
  maxViews: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .meta({ description: 'How many times the page may be fetched; none: no limit' }),
  allowOriginals: z
    .boolean()
    .default(false)
    .meta({ description: 'Whether visitors may download the originals (with their EXIF)' }),
});

export const linkListQuery = z.object(pageQuery);

export const LINK_STATES = ['active', 'expired', 'revoked', 'used-up'] as const;

export const linkReply = z.strictObject({
  id,
  gallery: id,
  prefix: z.string().meta({ description: 'The first characters of the key, to tell links apart' }),
  state: z.enum(LINK_STATES),
  expiresAt: timestamp.nullable(),
  maxViews: z.number().int().nullable(),
  views: z.number().int().nonnegative(),
  allowOriginals: z.boolean(),
  hasPassword: z.boolean(),
  createdBy: userRef,
  createdAt: timestamp,
  revokedAt: timestamp.nullable(),
});

export const createdLinkReply = linkReply.extend({
  message: z.string(),
  key: z.string().meta({ description: 'The key: shown in this reply only, stored hashed' }),
  url: z.string().meta({ description: 'The link page: GET it without a token' }),
});

/** The page of a link takes a sort and a page; no search or time window. */
export const sharePageQuery = z.object({ sort: listQuery.sort, limit: listQuery.limit, cursor: listQuery.cursor });

export const fileQuery = z.object({
  size: z.enum(['thumb', 'preview', 'original']).optional(),
  v: z.string().max(64).optional(),
});

const fileUrl = z.string();
export const sharedImageReply = z.strictObject({
  id,
  title: z.string(),
  description: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  mimeType: z.string(),
  size: z.number().int().nonnegative(),
  thumbhash: z.string().nullable().meta({
    description:
      'ThumbHash (base64) of the upright image, a placeholder to draw before the thumbnail loads; null for images stored before it was computed',
  }),
  createdAt: timestamp,
  thumbnail: fileUrl,
  preview: fileUrl,
  original: fileUrl.nullable().meta({ description: 'Only when the link allows originals; null otherwise' }),
  tags: z.array(z.string()).meta({ description: 'Its tags, sorted' }),
  favorite: z.boolean().meta({ description: "Always false: a link's visitor has no favorites" }),
  capturedAt: z.string().nullable().optional().meta({ description: 'EXIF: only when the link allows originals' }),
  cameraModel: z.string().nullable().optional().meta({ description: 'EXIF: only when the link allows originals' }),
  hasGps: z.boolean().optional().meta({ description: 'EXIF: only when the link allows originals' }),
});

export const sharePageReply = z.strictObject({
  gallery: z.strictObject({
    id,
    name: z.string(),
    description: z.string(),
    imageCount: z.number().int().nonnegative(),
  }),
  images: z.array(sharedImageReply),
  next: z
    .string()
    .nullable()
    .meta({ description: 'The cursor of the next page (also in the Link header); null on the last page' }),
  allowOriginals: z.boolean(),
  expiresAt: timestamp.nullable(),
});
