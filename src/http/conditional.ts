import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Sends one object as JSON with a weak ETag of its content; a request whose If-None-Match holds
 * that tag gets 304 with no body.
 */
export function sendWithEtag(req: Request, res: Response, body: unknown): void {
  const tag = createHash('sha1').update(JSON.stringify(body)).digest('base64url');
  res.set('ETag', `W/"${tag}"`);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.json(body);
}
