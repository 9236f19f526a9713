import type { Request, RequestHandler, Response } from 'express';

import { authenticate, type TokenAuthenticator } from '../../http/authenticate';
import { authorize } from '../../http/authorize';
import { baseUrlOf } from '../../http/base-url';
import type { Actor } from '../../shared/actor';
import { AppError, forbidden } from '../../shared/errors';
import { createTusServer, setTusContext, TUS_PATH } from './tus-server';
import type { UploadOutcome } from './upload-finish';
import { UPLOAD_ID } from './uploads.schemas';
import type { UploadsService } from './uploads.service';

export { TUS_PATH };

export type ProtocolDeps = {
  uploads: UploadsService;
  authenticator: TokenAuthenticator;
  /** The API's rate limit: a request of the protocol counts as any other. */
  rateLimit: RequestHandler;
  publicUrl?: string;
  corsOrigins: string[];
};

const TUS_VERSION = '1.0.0';

/** The item's id, '' for the collection, null for any other path under the mount. */
function targetOf(path: string): string | null {
  if (path === '/' || path === '') return '';
  const id = /^\/([^/]+)\/?$/.exec(path)?.[1];
  return id && UPLOAD_ID.test(id) ? id : null;
}

const methodNotAllowed = (allow: string) =>
  new AppError('METHOD_NOT_ALLOWED', undefined, { headers: { Allow: allow } });

/** A finished upload's outcome as the reply to its request, JSON like any other. */
function sendOutcome(res: Response, outcome: UploadOutcome, length: number) {
  res.set('Upload-Offset', String(length));
  if (outcome.status === 423) res.set('Retry-After', '1');
  res.status(outcome.status).json(outcome.body);
}

/**
 * The tus protocol under /api/uploads/ (see docs/uploads.md): discovery (OPTIONS) is open; every
 * other request is signed in as for the API (a token, or the browser's cookie with its CSRF check
 * on writes), counted by the rate limit, refused to read-only tokens when it writes, and needs
 * the right to upload images. Creating checks the metadata, the limits and the quota first
 * (uploads.service.ts); an upload's bytes are written by the tus server under the upload's lease;
 * once every byte is in, this handler answers for the upload itself (its offset, its result).
 */
export function uploadProtocol({ uploads, authenticator, rateLimit, publicUrl, corsOrigins }: ProtocolDeps) {
  const tus = createTusServer(uploads, corsOrigins);
  const baseUrlOfRequest = (req: Request) => baseUrlOf(req, publicUrl);

  const discovery: RequestHandler = async (req, res, next) => {
    if (req.method === 'OPTIONS') return tus.handle(req, res);
    // Every other reply carries the protocol's version, its refusals (401, 403) too.
    res.set('Tus-Resumable', TUS_VERSION);
    next();
  };
  const refuseReadOnlyWrites: RequestHandler = (req, res, next) => {
    const writes = req.method !== 'HEAD' && req.method !== 'GET';
    if (writes && (res.locals.actor as Actor).scope === 'read') throw forbidden('This token is read-only.');
    next();
  };

  async function create(req: Request, res: Response, actor: Actor) {
    // Without a supported Tus-Resumable the tus server refuses it as the protocol says (412).
    if (req.get('tus-resumable') !== TUS_VERSION) return tus.handle(req, res);
    const id = await uploads.create(actor, {
      length: req.get('upload-length'),
      deferLength: req.get('upload-defer-length'),
      metadata: req.get('upload-metadata'),
    });
    setTusContext(req, { actor, baseUrl: baseUrlOfRequest(req), id });
    try {
      await tus.handle(req, res);
    } finally {
      if (res.statusCode >= 400) await uploads.forget(id);
    }
  }

  /** HEAD and PATCH of an upload whose bytes are all in: its offset, and its result. */
  async function finished(req: Request, res: Response, actor: Actor, { id, length }: { id: string; length: number }) {
    res.set({ 'Upload-Length': String(length), 'Cache-Control': 'no-store' });
    if (req.method === 'HEAD') {
      res.set('Upload-Offset', String(length)).status(200).end();
      return;
    }
    if (req.get('upload-offset') !== String(length))
      throw new AppError('CONFLICT', `Upload-Offset: this upload is complete, at ${length} bytes.`);
    if (Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding'))
      throw new AppError('PAYLOAD_TOO_LARGE', 'This upload is complete: it takes no more bytes.');
    sendOutcome(res, await uploads.finish(actor, id, baseUrlOfRequest(req)), length);
  }

  const protocol: RequestHandler = async (req, res) => {
    const actor = res.locals.actor as Actor;
    const id = targetOf(req.path);
    if (id === null) throw new AppError('NOT_FOUND', 'No such upload.');
    if (id === '') {
      if (req.method !== 'POST') throw methodNotAllowed('POST, OPTIONS');
      return create(req, res, actor);
    }
    if (!['HEAD', 'PATCH', 'DELETE'].includes(req.method)) throw methodNotAllowed('HEAD, PATCH, DELETE, OPTIONS');
    if (req.method === 'DELETE') {
      await uploads.remove(actor, id);
      res.status(204).end();
      return;
    }
    const row = await uploads.own(actor, id);
    if (row.state !== 'receiving') return finished(req, res, actor, row);
    setTusContext(req, { actor, baseUrl: baseUrlOfRequest(req) });
    await tus.handle(req, res);
  };

  return {
    path: TUS_PATH,
    handlers: [
      discovery,
      authenticate(authenticator),
      rateLimit,
      refuseReadOnlyWrites,
      authorize('image:create'),
      protocol,
    ],
  };
}
