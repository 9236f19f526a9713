import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';

import type { Storage } from '../platform/storage/storage';
import { AppError } from '../shared/errors';
import { sniffingUploadEngine, type RefusedUpload, type SniffedUpload } from './upload-engine';

/** A file of a request of several: received (in a temp file) or refused on its own. */
export type ReceivedUpload = Express.Multer.File & (SniffedUpload | RefusedUpload);

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
  return withTempFilesDiscarded(storage, parse);
}

/**
 * The same for several files, each in an `image` field, at most `maxFiles`: a file that is not an
 * image or is larger than `maxUploadBytes` is refused on its own (`RefusedUpload` in `req.files`),
 * the others are received; one more file than allowed refuses the whole request (413).
 */
export function createMultiUploadMiddleware(storage: Storage, maxUploadBytes: number, maxFiles: number) {
  const fields = 2 * maxFiles + 10;
  const parse = multer({
    storage: sniffingUploadEngine(storage.tempDir, { maxBytes: maxUploadBytes }),
    limits: { files: maxFiles, fields, fieldSize: 64 * 1024, fieldNameSize: 100, parts: fields + maxFiles },
  }).array('image', maxFiles);
  const tooMany = new AppError('PAYLOAD_TOO_LARGE', `At most ${maxFiles} files per request.`);
  const elsewhere = new AppError('VALIDATION_FAILED', 'Send the files in fields named "image".');
  return withTempFilesDiscarded(storage, (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (error instanceof MulterError && error.code === 'LIMIT_FILE_COUNT') return next(tooMany);
      if (error instanceof MulterError && error.code === 'LIMIT_UNEXPECTED_FILE') return next(elsewhere);
      next(error);
    }),
  );
}

function withTempFilesDiscarded(storage: Storage, parse: RequestHandler): RequestHandler {
  return (req, res, next) => {
    res.locals.discardUpload = () =>
      Promise.all(tempPathsOf(req).map((path) => storage.discardTemp(path))).then(() => undefined);
    res.once('close', () => {
      void discardUnclaimedUpload(req, res).catch(() => undefined);
    });
    parse(req, res, next);
  };
}

/** The temp files of the request's upload (one, several or none). */
function tempPathsOf(req: Request): string[] {
  const files = Array.isArray(req.files) ? req.files : req.file ? [req.file] : [];
  return files.flatMap((file) => (file.path ? [file.path] : []));
}

/** Removes the request's temp file unless a handler has taken it over. */
export async function discardUnclaimedUpload(req: Request, res: Response): Promise<void> {
  const discard = res.locals.discardUpload as (() => Promise<void>) | undefined;
  if (discard && !res.locals.uploadClaimed) await discard();
}

/** Takes over the request's temp file: from now on the caller must discard it. */
export function claimUpload(req: Request, res: Response): (Express.Multer.File & SniffedUpload) | undefined {
  res.locals.uploadClaimed = true;
  return req.file as (Express.Multer.File & SniffedUpload) | undefined;
}

/** Takes over the temp files of a request of several, in the order they came. */
export function claimUploads(req: Request, res: Response): ReceivedUpload[] {
  res.locals.uploadClaimed = true;
  return Array.isArray(req.files) ? (req.files as ReceivedUpload[]) : [];
}
