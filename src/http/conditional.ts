import { createHash } from 'node:crypto';
import type { Request } from 'express';

import { jsonReply, type EmptyReply, type JsonReply } from './reply';

const ENTITY_TAG = /(?:W\/)?"[^"]*"/g;

/**
 * True when the request's If-None-Match names `etag` (weak comparison) or is `*`: the client's
 * copy is current and a GET or HEAD gets 304. Unlike Express's `req.fresh`, a `Cache-Control:
 * no-cache` on the request does not prevent it: that directive asks caches to revalidate, and
 * this is the revalidation (RFC 9110 §13.1.2: the origin server evaluates the precondition).
 * Browsers' and Node's fetch() add it to every request that carries If-None-Match.
 */
export function notModified(req: Request, etag: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  const wanted = opaque(etag);
  return (header.match(ENTITY_TAG) ?? []).some((tag) => opaque(tag) === wanted);
}

/**
 * The reply for one object as JSON with a weak ETag of its content; a request whose If-None-Match
 * holds that tag gets 304 with no body. The route documents `304: 'empty'` beside its 200.
 */
export function withEtag<B>(req: Request, body: B): JsonReply<200, B> | EmptyReply<304> {
  const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
  const headers = { ETag: etag };
  return notModified(req, etag) ? { status: 304, headers } : jsonReply(200, body, headers);
}
