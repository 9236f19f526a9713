import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server, type CancellationContext, type Lock, type Locker, type ServerOptions } from '@tus/server';

import { toAppError } from '../../http/error-handler';
import { requestIdOf } from '../../http/request-context';
import type { Actor } from '../../shared/actor';
import { ERROR_TABLE, type ErrorCode } from '../../shared/errors';
import type { HeldLease } from './upload-leases';
import { UPLOAD_ID } from './uploads.schemas';
import type { UploadsService } from './uploads.service';

export const TUS_PATH = '/api/uploads';

/** What a tus request carries from the Express side into the tus server's hooks. */
type TusContext = { actor: Actor; baseUrl: string; id?: string };

type TusRequest = Parameters<NonNullable<ServerOptions['onUploadFinish']>>[0];
type NodeSide = { req: IncomingMessage; res: ServerResponse & { locals?: Record<string, unknown> } };

const contexts = new WeakMap<IncomingMessage, TusContext>();

/** The Node.js request and reply behind the tus server's web Request. */
function nodeOf(req: TusRequest): NodeSide {
  const node = (req as unknown as { runtime?: { node?: NodeSide } }).runtime?.node;
  if (!node) throw new Error('tus request without its Node.js request');
  return node;
}

/** Hands `context` to the tus hooks of this request. */
export function setTusContext(req: IncomingMessage, context: TusContext): void {
  contexts.set(req, context);
}

function contextOf(req: TusRequest): TusContext {
  const context = contexts.get(nodeOf(req).req);
  if (!context) throw new Error('tus request without its context');
  return context;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const idOfKey = (key: string) => key.slice(-32);

/** A refusal in the shape of the tus server's own errors (`status_code`, `body`). */
class TusRefusal extends Error {
  readonly status_code: number;
  readonly body: string;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.status_code = ERROR_TABLE[code].status;
    this.body = message;
  }
}

/**
 * The lock the tus server takes around each write: the upload's lease in the database, which holds
 * across server processes. A request that finds it held is refused (423) rather than made to wait;
 * one whose lease is lost while it writes is cancelled (the tus server then ends its request).
 */
function leaseLocker(uploads: UploadsService): Locker {
  return {
    newLock(key: string): Lock {
      let held: HeldLease | undefined;
      return {
        async lock(_signal, cancelRequest) {
          const taken = await uploads.lease(idOfKey(key), 'write');
          if ('refused' in taken) {
            if (taken.refused === 'missing') throw new TusRefusal('NOT_FOUND', 'No such upload.');
            if (taken.refused === 'held') throw new TusRefusal('LOCKED', ERROR_TABLE.LOCKED.message);
            throw new TusRefusal('CONFLICT', 'This upload is complete: it takes no more bytes.');
          }
          held = taken.held;
          held.lost.addEventListener('abort', () => void cancelRequest(), { once: true });
        },
        async unlock() {
          await held?.release();
        },
      };
    },
  };
}

/** Reading an upload's offset needs no lock: it is what the store holds now. */
const FREE: Locker = { newLock: () => ({ lock: () => Promise.resolve(), unlock: () => Promise.resolve() }) };

/** The status's code of the error table, if it has one: tus's own refusals get the API's JSON body. */
function codeOf(status: number): ErrorCode | undefined {
  return (Object.keys(ERROR_TABLE) as ErrorCode[]).find((code) => ERROR_TABLE[code].status === status);
}

/**
 * Every error the tus server answers with, as JSON in the API's error shape when its status is one
 * of the table's (tus's other statuses keep its text); failures that are not the client's are logged.
 */
function errorReply(uploads: UploadsService) {
  return (req: TusRequest, error: Error | { status_code: number; body: string }) => {
    const { res } = nodeOf(req);
    const known = 'status_code' in error ? null : toAppError(error);
    const status = 'status_code' in error ? error.status_code : (known?.status ?? 500);
    if (status >= 500) {
      uploads.logger.error('resumable upload failed', {
        requestId: res.locals ? requestIdOf(res as { locals: Record<string, unknown> }) : undefined,
        method: req.method,
        error: error instanceof Error ? (error.stack ?? error.message) : error.body,
      });
    }
    const code = known?.code ?? codeOf(status);
    if (!code) return undefined;
    const message = known?.message ?? ('body' in error ? error.body.trim() : ERROR_TABLE[code].message);
    return { status_code: status, body: JSON.stringify({ message, code }) };
  };
}

/** The tus server, its errors of the API's shape sent as JSON (a 423 with its Retry-After). */
class TusServer extends Server {
  override write(context: CancellationContext, headers: Headers, status: number, body = '') {
    if (status >= 400 && body.startsWith('{')) headers.set('Content-Type', JSON_TYPE);
    if (status === 423) headers.set('Retry-After', '1');
    return super.write(context, headers, status, body);
  }
}

/**
 * The tus project's server (core, creation, termination, expiration) over the uploads' store: ids
 * and URLs as the server makes them, the lease as its lock, the images pipeline when an upload's
 * last byte arrives (the final PATCH answers with the image, or the error, as a multipart upload).
 */
export function createTusServer(uploads: UploadsService, corsOrigins: string[]): Server {
  const { resumable } = uploads;
  const locker = leaseLocker(uploads);
  return new TusServer({
    path: TUS_PATH,
    datastore: resumable.store,
    maxSize: uploads.maxUploadBytes,
    locker: (req) => (req.method === 'HEAD' ? FREE : locker),
    namingFunction: (req) => resumable.keyOf(contextOf(req).id!),
    getFileIdFromRequest: (_req, last) => (last && UPLOAD_ID.test(last) ? resumable.keyOf(last) : undefined),
    generateUrl: (req, { id }) => `${contextOf(req).baseUrl}${TUS_PATH}/${idOfKey(id)}`,
    allowedOrigins: (origin) => corsOrigins.includes(origin),
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    async onUploadFinish(req, upload) {
      const { actor, baseUrl } = contextOf(req);
      // After a creation with its bytes, the tus server still reads the upload for its headers:
      // then its bytes go once the reply is sent.
      const { res } = nodeOf(req);
      const later =
        req.method === 'POST' ? (work: () => Promise<void>) => void res.once('close', () => void work()) : undefined;
      const outcome = await uploads.finish(actor, idOfKey(upload.id), baseUrl, later);
      return {
        status_code: outcome.status,
        body: JSON.stringify(outcome.body),
        headers: { 'Content-Type': JSON_TYPE },
      };
    },
    onResponseError: errorReply(uploads),
  });
}
