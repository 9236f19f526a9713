import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';

import type { Storage } from '../platform/storage/storage';
import { sniffingUploadEngine, type SniffedUpload } from './upload-engine';

/**
 * multer: at most one file, in the `image` field, streamed into the storage's temp folder under a
 * random name (hashed and type-checked on the way), with limits on every part of the form. A handler that takes the temp file
 * (`claimUpload`) removes it itself; otherwise the error handler removes it before answering
 * (`discardUnclaimedUpload`), and a request that ends without an answer removes it on close.
 */
export function createUploadMiddleware(storage: Storage, maxUploadBytes: number): RequestHandler {
  const parse = multer({
    storage: sniffingUploadEngine(storage.tempDir),
    limits: { fileSize: maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, fieldNameSize: 100, parts: 21 },
  }).single('image');

  return (req, res, next) => {
    res.locals.discardUpload = () => (req.file ? storage.discardTemp(req.file.path) : Promise.resolve());
    res.once('close', () => {
      void discardUnclaimedUpload(req, res).catch(() => undefined);
    });
    parse(req, res, next);
  };
}

/** Removes the request's temp file unless a handler has taken it over. */
export async function discardUnclaimedUpload(req: Request, res: Response): Promise<void> {
  const discard = res.locals.discardUpload as (() => Promise<void>) | undefined;
  if (req.file && discard && !res.locals.uploadClaimed) await discard();
}

/** Takes over the request's temp file: from now on the caller must discard it. */
export function claimUpload(req: Request, res: Response): (Express.Multer.File & SniffedUpload) | undefined {
  res.locals.uploadClaimed = true;
  return req.file as (Express.Multer.File & SniffedUpload) | undefined;
}
