import { defineRoute, type RouteSpec } from '../../http/route';
import { LINK_HEADERS, visitorOf } from '../sharing';
import {
  galleryZipParams,
  galleryZipQuery,
  MAX_SELECTED,
  selectionZipBody,
  selectionZipQuery,
  shareZipParams,
} from './downloads.schemas';
import type { DownloadsService } from './downloads.service';
import { CONTENTS_HEADER, sendZip } from './zip-reply';

/** A signed-in caller's archive: theirs alone to keep, checked again on each use. */
const PRIVATE = { 'Cache-Control': 'private, no-cache', Vary: 'Authorization' };

const ARCHIVE = `one zip (entries stored, not recompressed; ZIP64 past 4 GB) with a manifest.json last; Content-Length, a strong ETag and, on GET, one byte range (If-Range) to resume; ${CONTENTS_HEADER}: originals, previews, mixed or none`;

const REPLIES = { 200: 'binary', 206: 'binary', 304: 'empty' } as const;

export function downloadRoutes({ downloads }: { downloads: DownloadsService }): RouteSpec[] {
  return [galleryZip(downloads), selectionZipGet(downloads), selectionZipPost(downloads), shareZip(downloads)];
}

function galleryZip(downloads: DownloadsService) {
  return defineRoute({
    method: 'get',
    path: '/api/gallery/galleries/:id/download',
    access: 'image:read',
    summary: `A gallery's images as ${ARCHIVE}. Originals for those who may fetch them (else previews); a gallery over ZIP_MAX_IMAGES comes in parts (?part=)`,
    responses: REPLIES,
    errors: ['RANGE_NOT_SATISFIABLE'],
    params: galleryZipParams,
    query: galleryZipQuery,
    handler: async ({ req, actor, params, query }) => {
      const download = await downloads.gallery(actor, params.id, query.part);
      return { stream: (res) => sendZip(req, res, download, PRIVATE) };
    },
  });
}

function selectionZipGet(downloads: DownloadsService) {
  return defineRoute({
    method: 'get',
    path: '/api/gallery/images/download',
    access: 'image:read',
    summary: `Images by id (?ids=3,1,2, at most ${MAX_SELECTED}) as ${ARCHIVE}. Any id the caller cannot see: 404 for the whole request, naming them`,
    responses: REPLIES,
    errors: ['NOT_FOUND', 'RANGE_NOT_SATISFIABLE'],
    query: selectionZipQuery,
    handler: async ({ req, actor, query }) => {
      const download = await downloads.selection(actor, query.ids);
      return { stream: (res) => sendZip(req, res, download, PRIVATE) };
    },
  });
}

function selectionZipPost(downloads: DownloadsService) {
  return defineRoute({
    method: 'post',
    path: '/api/gallery/images/download',
    access: 'image:read',
    // A read: a read-only token may ask for it.
    readOnlyTokenMayCall: true,
    summary: `Images by id ({"ids": [3, 1, 2]}, at most ${MAX_SELECTED}) as the GET does, for lists too long for an address; no byte ranges (use the GET to resume)`,
    responses: { 200: 'binary', 304: 'empty' },
    errors: ['NOT_FOUND'],
    body: selectionZipBody,
    handler: async ({ req, actor, body }) => {
      const download = await downloads.selection(actor, body.ids);
      return { stream: (res) => sendZip(req, res, download, PRIVATE) };
    },
  });
}

function shareZip(downloads: DownloadsService) {
  return defineRoute({
    method: 'get',
    path: '/api/share/:key/download',
    access: 'public',
    replyHeaders: LINK_HEADERS,
    summary: `A share link's gallery as ${ARCHIVE}: originals only when the link allows them, else previews. On the terms of the link's files (password, grant cookie; not a view); ?part= past ZIP_MAX_IMAGES`,
    responses: REPLIES,
    errors: ['SHARE_PASSWORD_REQUIRED', 'RANGE_NOT_SATISFIABLE'],
    params: shareZipParams,
    query: galleryZipQuery,
    handler: async ({ req, address, params, query }) => {
      const download = await downloads.shareLink(params.key, visitorOf(req, address), query.part);
      return { stream: (res) => sendZip(req, res, download, {}) };
    },
  });
}
