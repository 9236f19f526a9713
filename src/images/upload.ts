import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { Storage } from '../storage/storage';

/**
 * multer on disk: at most one file, in the `image` field, into the storage's temp folder under a
 * random name, with limits on every part of the form. If the request ends before a handler has
 * claimed the temp file (`claimUpload`), the file is removed; a handler that claims it removes it itself.
 */
export function createUploadMiddleware(storage: Storage, maxUploadBytes: number): RequestHandler {
  const parse = multer({
    storage: multer.diskStorage({
      destination: storage.tempDir,
      filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`),
    }),
    limits: { fileSize: maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, fieldNameSize: 100, parts: 21 },
  }).single('image');

  return (req, res, next) => {
    res.once('close', () => {
      if (req.file && !res.locals.uploadClaimed) void storage.discardTemp(req.file.path).catch(() => undefined);
    });
    parse(req, res, next);
  };
}

/** Takes over the request's temp file: from now on the caller must discard it. */
export function claimUpload(req: Request, res: Response): Express.Multer.File | undefined {
  res.locals.uploadClaimed = true;
  return req.file;
}
