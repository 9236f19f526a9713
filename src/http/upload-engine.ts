import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Request } from 'express';
import type multer from 'multer';

import { AppError } from '../shared/errors';
import { NOT_AN_IMAGE, sniffImageType, type ImageMimeType } from '../shared/image-types';

/** What the engine adds to multer's file: the type, told from the first bytes as they arrive. */
export type SniffedUpload = { mimeType: ImageMimeType };

/**
 * A file refused on its own within a request of several (not an image, too large): its part was
 * read to its end and nothing of it was kept; the other files of the request go on.
 */
export type RefusedUpload = { refusal: AppError; size: number };

/** Several files per request: each one's refusal is its own, the request goes on. */
export type PerFileLimits = { maxBytes: number };

/** Temp files of uploads in progress end with this. */
export const UPLOAD_SUFFIX = '.upload';

const TOO_LARGE = 'The file is larger than the upload limit.';

/** Bytes needed to tell every accepted type apart (AVIF's brands sit in its first box). */
const SNIFF_BYTES = 32;

/**
 * A multer storage engine that streams the upload to a temp file while counting it, and decides
 * the type from the first bytes: a file that is not an image is refused with 415 as soon as those
 * bytes arrive, and what was written is removed. Memory stays flat whatever the size. (The SHA-256
 * is taken afterwards, while the image is decoded: see the images service.)
 */
export function sniffingUploadEngine(tempDir: string, perFile?: PerFileLimits): multer.StorageEngine {
  return {
    _handleFile(_req: Request, file, done) {
      const path = join(tempDir, `${randomUUID()}${UPLOAD_SUFFIX}`);
      // flush: the bytes are on disk (fsync) before the file is reported written.
      const out = createWriteStream(path, { flags: 'wx', flush: true });
      let size = 0;
      let head = Buffer.alloc(0);
      let mimeType: ImageMimeType | null = null;
      let finished = false;

      // One file of several refused (not an image, too large): its part is read to its end, then
      // reported as refused; the stream's own failure still ends the whole request.
      const refuse = (error: AppError) => {
        if (!perFile) return fail(error);
        const ended = file.stream.readableEnded;
        if (!stop()) return;
        let drained = size;
        let reported = false;
        const report = (outcome: Error | null) => {
          if (reported) return;
          reported = true;
          const refused: RefusedUpload = { refusal: error, size: drained };
          settle(() => (outcome ? done(outcome) : done(null, refused)));
        };
        if (ended) return report(null);
        file.stream.on('data', (chunk: Buffer) => (drained += chunk.length));
        file.stream.once('end', () => report(null));
        file.stream.once('error', report);
      };
      const fail = (error: Error) => stop() && settle(() => done(error));
      const stop = () => {
        if (finished) return false;
        finished = true;
        file.stream.unpipe();
        file.stream.resume(); // drain the rest of the part so the form can end
        return true;
      };
      // Unlink only once the stream is closed: a refusal within the first bytes can come before
      // the file is even opened, and an unlink before the open would leave the file behind.
      const settle = (report: () => void) => {
        const remove = () => {
          void unlink(path)
            .catch(() => undefined)
            .finally(report);
        };
        if (out.closed) remove();
        else {
          out.once('close', remove);
          out.destroy();
        }
      };
      const decide = () => {
        mimeType = sniffImageType(head);
        if (!mimeType) refuse(new AppError('UNSUPPORTED_MEDIA_TYPE', NOT_AN_IMAGE));
      };

      file.stream.on('data', (chunk: Buffer) => {
        if (finished) return;
        size += chunk.length;
        if (perFile && size > perFile.maxBytes) return refuse(new AppError('PAYLOAD_TOO_LARGE', TOO_LARGE));
        if (!mimeType) {
          head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
          if (head.length >= SNIFF_BYTES) decide();
          if (finished) return;
        }
        if (!out.write(chunk)) {
          file.stream.pause();
          out.once('drain', () => file.stream.resume());
        }
      });
      file.stream.on('end', () => {
        if (finished) return;
        if (!mimeType) decide();
        if (finished) return;
        out.end(() => {
          if (finished) return;
          finished = true;
          const result: Partial<Express.Multer.File> & SniffedUpload = {
            destination: tempDir,
            filename: basename(path),
            path,
            size,
            mimeType: mimeType!,
          };
          done(null, result);
        });
      });
      file.stream.on('error', fail);
      out.on('error', fail);
    },
    _removeFile(_req, file, done) {
      if (!file.path) return done(null); // a refused file: nothing was kept
      unlink(file.path).then(
        () => done(null),
        (error: NodeJS.ErrnoException) => done(error.code === 'ENOENT' ? null : error),
      );
    },
  };
}
