import type { Request } from 'express';
import { z } from 'zod';

import { baseUrlOf } from '../../http/base-url';
import { nextPageLink, pageReply } from '../../http/pagination';
import { withMessage } from '../../http/response-schemas';
import { defineRoute, type RouteSpec } from '../../http/route';
import { listOptions } from '../../shared/paging';
import { byteRangeOf } from '../images';
import { sendSharedFile } from './share-file';
import { grantCookie, readGrant } from './share-grant';
import { linkUrl, toLinkJson, toSharedImageJson } from './share-links.mapper';
import {
  createdLinkReply,
  createLinkBody,
  fileQuery,
  galleryLinkParams,
  galleryLinksParams,
  linkListQuery,
  linkReply,
  shareFileParams,
  sharePageQuery,
  sharePageReply,
  shareParams,
} from './share-links.schemas';
import type { ShareLinksService, Visitor } from './share-links.service';

const LINKS = '/api/gallery/galleries/:id/links';
const SHARE = '/api/share/:key';

/**
 * On every reply of a link's routes, errors included: the key is in the URL, so no Referer may
 * carry it elsewhere, no search engine may keep it, and no shared cache may keep the page.
 */
export const LINK_HEADERS = {
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'Cache-Control': 'private, no-store',
};

/**
 * What the routes use: the service, the server's URL as links are given out (PUBLIC_URL, else the
 * request's), and whether cookies get `Secure` (HTTPS, or a PUBLIC_URL in https).
 */
type LinkRouteDeps = {
  shareLinks: ShareLinksService;
  baseUrl: (req: Request) => string;
  secure: (req: Request) => boolean;
};

export const visitorOf = (req: Request, address: string | null): Visitor => ({
  password: req.get('X-Share-Password'),
  grant: readGrant(req.headers.cookie),
  address,
});

export function shareLinkRoutes({
  shareLinks,
  publicUrl,
}: {
  shareLinks: ShareLinksService;
  publicUrl?: string;
}): RouteSpec[] {
  const deps = {
    shareLinks,
    baseUrl: (req: Request) => baseUrlOf(req, publicUrl),
    secure: (req: Request) => req.secure || Boolean(publicUrl?.startsWith('https:')),
  };
  return [createLink(deps), listLinks(deps), revokeLink(deps), openLink(deps), openLinkFile(deps)];
}

function createLink({ shareLinks, baseUrl }: LinkRouteDeps) {
  return defineRoute({
    method: 'post',
    path: LINKS,
    access: 'gallery:update',
    summary:
      'Create a share link to a gallery (owner or admin): optional expiresAt, password, maxViews, allowOriginals; the key is in this reply only',
    responses: { 201: createdLinkReply },
    params: galleryLinksParams,
    body: createLinkBody,
    handler: async ({ req, actor, params, body, reply }) => {
      const { link, key } = await shareLinks.create(actor, params.id, body);
      return reply(
        201,
        {
          message: 'Share link created: keep the key, it is not shown again',
          ...toLinkJson(link),
          key,
          url: linkUrl(baseUrl(req), key),
        },
        { 'Cache-Control': 'no-store' },
      );
    },
  });
}

function listLinks({ shareLinks }: LinkRouteDeps) {
  return defineRoute({
    method: 'get',
    path: LINKS,
    access: 'gallery:update',
    summary: "A gallery's share links, newest first, without their keys (owner or admin; ?limit=, ?cursor=)",
    responses: { 200: z.array(linkReply) },
    params: galleryLinksParams,
    query: linkListQuery,
    handler: async ({ req, actor, params, query }) => {
      const page = await shareLinks.list(actor, params.id, { limit: query.limit, beforeId: query.cursor });
      return pageReply(req, page, toLinkJson);
    },
  });
}

function revokeLink({ shareLinks }: LinkRouteDeps) {
  return defineRoute({
    method: 'delete',
    path: `${LINKS}/:linkId`,
    access: 'gallery:update',
    summary: 'Revoke a share link (owner or admin): its page and files are 404 from now on',
    responses: { 200: withMessage(linkReply) },
    params: galleryLinkParams,
    handler: async ({ actor, params, reply }) => {
      const link = await shareLinks.revoke(actor, params.id, params.linkId);
      return reply(200, { message: 'Share link revoked', ...toLinkJson(link) });
    },
  });
}

function openLink({ shareLinks, baseUrl, secure }: LinkRouteDeps) {
  return defineRoute({
    method: 'get',
    path: SHARE,
    access: 'public',
    replyHeaders: LINK_HEADERS,
    summary:
      "A share link's page, without a token: the gallery and a page of its images (?sort=, ?limit=, ?cursor=). Each request is one view. Password links: X-Share-Password header; the right one also sets an HttpOnly grant cookie (gallery_share) that stands for it on this link's requests for the browser's session. Wrong, expired, revoked or used-up key: the same 404",
    responses: { 200: sharePageReply },
    errors: ['SHARE_PASSWORD_REQUIRED'],
    params: shareParams,
    query: sharePageQuery,
    handler: async ({ req, address, params, query, reply }) => {
      const { link, gallery, page, grant } = await shareLinks.open(
        params.key,
        visitorOf(req, address),
        listOptions({ ...query, count: false }),
      );
      const pageUrl = linkUrl(baseUrl(req), params.key);
      return reply(
        200,
        {
          gallery,
          images: page.items.map((image) => toSharedImageJson(image, pageUrl, link.allowOriginals)),
          next: page.next ?? null,
          allowOriginals: link.allowOriginals,
          expiresAt: link.expiresAt?.toISOString() ?? null,
        },
        {
          ...nextPageLink(req, page.next),
          ...(grant ? { 'Set-Cookie': grantCookie(grant, params.key, secure(req)) } : {}),
        },
      );
    },
  });
}

function openLinkFile({ shareLinks }: LinkRouteDeps) {
  return defineRoute({
    method: 'get',
    path: `${SHARE}/images/:imageId/file`,
    access: 'public',
    replyHeaders: LINK_HEADERS,
    summary:
      "An image file of a share link's gallery: ?size=thumb|preview|original (original only when the link allows it; default: the original then, else the preview). Not counted as a view; served until the link expires or is revoked",
    responses: { 200: 'binary', 206: 'binary', 304: 'empty' },
    errors: ['SHARE_PASSWORD_REQUIRED', 'FORBIDDEN', 'RANGE_NOT_SATISFIABLE'],
    params: shareFileParams,
    query: fileQuery,
    handler: async ({ req, address, params, query }) => {
      const { link, ...file } = await shareLinks.openFile(
        params.key,
        visitorOf(req, address),
        params.imageId,
        query.size,
        byteRangeOf(req),
      );
      return { stream: (res) => sendSharedFile(req, res, file, link.expiresAt, query.v) };
    },
  });
}
