import { z } from 'zod';

import { id, timestamp, userRef } from '../../http/response-schemas';
import { nameField, textField } from '../../http/text-fields';
import { idField, idParam } from '../../shared/ids';
import { listQuery } from '../../shared/paging';
import { MEMBER_ROLES, VISIBILITIES } from './galleries.access';

export const galleryParams = z.object({ id: idParam });

const name = nameField();
const description = textField();
const visibility = z.enum(VISIBILITIES);

/** Galleries are new to this API: unknown fields (ownerId, id, …) are refused, not ignored. */
export const createGalleryBody = z.strictObject({
  name,
  description: description.default(''),
  visibility: visibility.optional().meta({ description: 'Unset: DEFAULT_GALLERY_VISIBILITY (shared unless set)' }),
});

const coverImage = idField('coverImage: an image id (a whole number from 1), or null for the most recent image.')
  .nullable()
  .meta({ description: 'The image shown as the cover: one of this gallery, or null for its most recent image' });

export const updateGalleryBody = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    visibility: visibility.optional(),
    coverImage: coverImage.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Send at least one of: name, description, visibility, coverImage.',
  });

export const listGalleriesQuery = z.object({
  owner: idParam.optional(),
  ...listQuery,
});

/** What a gallery's card needs to show its cover; the thumbnail is the one in the image's own reply. */
const coverReply = z
  .strictObject({
    id,
    width: z.number().int().nullable().meta({ description: 'Width as shown (after EXIF orientation)' }),
    height: z.number().int().nullable().meta({ description: 'Height as shown (after EXIF orientation)' }),
    thumbhash: z
      .string()
      .nullable()
      .meta({ description: 'ThumbHash (base64): a placeholder to draw first; null for old images' }),
    thumbnailUrl: z.string().meta({ description: "WebP, at most 256 px a side, upright: the image's `thumbnail`" }),
    chosen: z.boolean().meta({ description: 'Chosen by the owner (false: the most recent image, the default)' }),
  })
  .nullable()
  .meta({
    description:
      'The image the gallery shows on its card: the one its owner chose while it is in the gallery, else its most recent image; null for an empty gallery',
  });

export const galleryReply = z.strictObject({
  id,
  name: z.string(),
  description: z.string(),
  owner: userRef,
  visibility,
  imageCount: z.number().int().nonnegative(),
  cover: coverReply,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const memberParams = z.object({ id: idParam, userId: idParam });

const username = z.string().trim().min(1).max(150);
const memberRole = z.enum(MEMBER_ROLES);

const groupName = z.string().trim().min(1).max(100);

/** A user (`username`) or a group (`group`, its name), one of the two. */
export const addMemberBody = z
  .strictObject({
    username: username.optional(),
    group: groupName.optional().meta({ description: "A group's name (any case), instead of a username" }),
    role: memberRole.default('viewer'),
  })
  .refine((body) => (body.username === undefined) !== (body.group === undefined), {
    message: 'Send either username or group (the name of a group), not both.',
  });
export const groupMemberParams = z.object({ id: idParam, groupId: idParam });
export const changeMemberBody = z.strictObject({ role: memberRole });
export const transferBody = z.strictObject({ username });

export const memberReply = z.strictObject({
  user: userRef,
  role: memberRole,
  addedAt: timestamp,
});

/** A group's membership: everyone in the group has `role` in the gallery. */
export const groupMemberReply = z.strictObject({
  group: z.strictObject({ id, name: z.string() }),
  role: memberRole,
  addedAt: timestamp,
  includesYou: z.boolean().meta({ description: 'Whether the caller is in the group' }),
});

/** The reply to a delete of an image or a gallery: the message of before, and where it went. */
export const deleteReply = z.strictObject({
  message: z.string(),
  trashed: z
    .boolean()
    .meta({ description: 'true: in the trash, restorable until purgeAt; false: deleted for good (TRASH_DAYS=0)' }),
  purgeAt: z
    .string()
    .nullable()
    .meta({ description: 'When it will be deleted for good (ISO 8601); null when it already is' }),
});

/** The body of `deleteReply`. */
export const deleteReplyOf = (message: string, outcome: { trashed: boolean; purgeAt: Date | null }) => ({
  message,
  trashed: outcome.trashed,
  purgeAt: outcome.purgeAt?.toISOString() ?? null,
});
