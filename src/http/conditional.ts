import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

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
 * Sends one object as JSON with a weak ETag of its content; a request whose If-None-Match holds
 * that tag gets 304 with no body.
 */
export function sendWithEtag(req: Request, res: Response, body: unknown): void {
  const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
  res.set('ETag', etag);
  if (notModified(req, etag)) {
    res.status(304).end();
    return;
  }
  res.json(body);
}
