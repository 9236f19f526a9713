import type { Request } from 'express';

import { baseUrlOf } from '../../http/base-url';
import { withMessage } from '../../http/response-schemas';
import { defineRoute, type Method, type RouteSpec } from '../../http/route';
import type { Actor } from '../../shared/actor';
import type { ImageView } from './image-extras';
import {
  addTagsBody,
  imageTagParams,
  mergeTagBody,
  renameTagBody,
  suggestQuery,
  suggestReply,
  tagParams,
  tagReply,
  tagsBody,
} from './image-tags.schemas';
import type { TagChange } from './image-tags.service';
import { toImageJson } from './images.mapper';
import { canSeeOriginal } from './images.policy';
import { imageParams, imageReply } from './images.schemas';
import type { ImagesService } from './images.service';

const IMAGES = '/api/gallery/images';
const TAGS = '/api/gallery/tags';

type Deps = { images: ImagesService; publicUrl?: string; originalsVisibleTo: 'owners' | 'everyone' };
type Json = (req: Request, actor: Actor) => (image: ImageView) => ReturnType<typeof toImageJson>;

/** Tags on images, each user's favorites, and all tags (suggestions; an admin's rename and merge). */
export function imageTagRoutes({ images, publicUrl, originalsVisibleTo }: Deps): RouteSpec[] {
  const jsonFor: Json = (req, actor) => {
    const base = baseUrlOf(req, publicUrl);
    return (image) => toImageJson(image, base, canSeeOriginal(actor, image, originalsVisibleTo));
  };
  return [
    changeTags(images, jsonFor, 'put'),
    changeTags(images, jsonFor, 'post'),
    removeTag(images, jsonFor),
    favorite(images, jsonFor, 'put'),
    favorite(images, jsonFor, 'delete'),
    suggestTags(images),
    renameTag(images),
    mergeTag(images),
  ];
}

function changeTags(images: ImagesService, jsonFor: Json, method: 'put' | 'post') {
  return defineRoute({
    method,
    path: `${IMAGES}/:id/tags`,
    access: 'image:update',
    summary:
      method === 'put'
        ? "Replace an image's tags with `tags` (those who may change the image: gallery owner, its editors, admins); at most 50"
        : 'Add `tags` to an image (those who may change it); the image has at most 50 tags',
    responses: { 200: withMessage(imageReply) },
    errors: ['CONFLICT'],
    params: imageParams,
    body: method === 'put' ? tagsBody : addTagsBody,
    handler: async ({ req, actor, params, body, reply }) => {
      const change: TagChange = method === 'put' ? { replace: body.tags } : { add: body.tags };
      const image = await images.tags.change(actor, params.id, change);
      return reply(200, { message: 'Tags updated', ...jsonFor(req, actor)(image) });
    },
  });
}

function removeTag(images: ImagesService, jsonFor: Json) {
  return defineRoute({
    method: 'delete',
    path: `${IMAGES}/:id/tags/:tag`,
    access: 'image:update',
    summary: 'Take one tag off an image (those who may change it); a tag it does not have changes nothing',
    responses: { 200: withMessage(imageReply) },
    errors: ['CONFLICT'],
    params: imageTagParams,
    handler: async ({ req, actor, params, reply }) => {
      const image = await images.tags.change(actor, params.id, { remove: [params.tag] });
      return reply(200, { message: 'Tags updated', ...jsonFor(req, actor)(image) });
    },
  });
}

function favorite(images: ImagesService, jsonFor: Json, method: Method & ('put' | 'delete')) {
  return defineRoute({
    method,
    path: `${IMAGES}/:id/favorite`,
    access: 'image:read',
    summary:
      method === 'put'
        ? "Star an image for oneself (anyone who may see it); already starred: 200 all the same. Private: only the caller's replies show it"
        : 'Take off one’s star; not starred: 200 all the same',
    responses: { 200: withMessage(imageReply) },
    params: imageParams,
    handler: async ({ req, actor, params, reply }) => {
      const image =
        method === 'put'
          ? await images.favorites.star(actor, params.id)
          : await images.favorites.unstar(actor, params.id);
      return reply(200, { message: method === 'put' ? 'Starred' : 'Star removed', ...jsonFor(req, actor)(image) });
    },
  });
}

function suggestTags(images: ImagesService) {
  return defineRoute({
    method: 'get',
    path: TAGS,
    access: 'image:read',
    summary:
      'Tags starting with ?q= (normalised as tags are), for completion as one types: each with how many live images in galleries the caller may see carry it, most used first, then by name; ?limit= (1-50, default 10)',
    responses: { 200: suggestReply },
    query: suggestQuery,
    handler: async ({ actor, query, reply }) =>
      reply(200, await images.tagCatalog.suggest(actor, query.q, query.limit)),
  });
}

function renameTag(images: ImagesService) {
  return defineRoute({
    method: 'patch',
    path: `${TAGS}/:id`,
    access: 'image:update',
    summary:
      'Rename a tag everywhere (admins only); onto the name of another tag: merged into it. The search text of its images follows',
    responses: { 200: tagReply },
    errors: ['FORBIDDEN', 'CONFLICT'],
    params: tagParams,
    body: renameTagBody,
    handler: async ({ actor, params, body, reply }) => {
      const tag = await images.tagCatalog.rename(actor, params.id, body.name);
      return reply(200, { message: tag.merged ? 'Tag merged' : 'Tag renamed', ...tag });
    },
  });
}

function mergeTag(images: ImagesService) {
  return defineRoute({
    method: 'post',
    path: `${TAGS}/:id/merge`,
    access: 'image:update',
    summary:
      'Merge a tag into another (`into`, admins only): its images get that tag instead, and it is deleted. The search text of its images follows',
    responses: { 200: tagReply },
    errors: ['FORBIDDEN'],
    params: tagParams,
    body: mergeTagBody,
    handler: async ({ actor, params, body, reply }) => {
      const tag = await images.tagCatalog.merge(actor, params.id, body.into);
      return reply(200, { message: 'Tag merged', ...tag });
    },
  });
}
