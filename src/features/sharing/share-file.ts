import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';
import { notModified } from '../../http/conditional';
import { AppError } from '../../shared/errors';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import { fileVersion, type ImagesService, type RangeFor } from '../images';

type OpenedFile = Awaited<ReturnType<ImagesService['openFileInGallery']>>;

/** A file's cache lifetime through a link: a day at most, and never beyond the link's expiry. */
const MAX_AGE_SECONDS = 24 * 3600;

/** One byte range (206) from the Range header; a malformed or multi-part one gets the whole file. */
export function rangeOf(req: Request): RangeFor {
  return (size) => {
    if (!req.headers.range || size === 0) return undefined;
    const ranges = req.range(size, { combine: true });
    if (ranges === -1) throw new AppError('RANGE_NOT_SATISFIABLE', undefined, { headers: { 'Content-Range': `bytes */${size}` } });
    return Array.isArray(ranges) && ranges.length === 1 ? { start: ranges[0].start, end: ranges[0].end } : undefined;
  };
}

/** A download name from the title: no separators, quotes or control characters; the real extension. */
function fileName(title: string, mimeType: string, variant: string): string {
  const base = title.replace(/[\\/"\s\p{Cc}]+/gu, ' ').trim().slice(0, 100) || 'image';
  return `${base}${variant === 'original' ? '' : ` (${variant})`}.${EXTENSIONS[mimeType as ImageMimeType] ?? 'bin'}`;
}

/**
 * Sends an image file of a link: ETag and If-None-Match (304), HEAD, one byte range. The versioned
 * URL of the link's JSON may be kept by the visitor's own browser only (`private`), for a day or
 * until the link expires, whichever comes first.
 */
export async function sendSharedFile(req: Request, res: Response, file: OpenedFile, expiresAt: Date | null, version: string | undefined) {
  const { image, stream, size, range } = file;
  const etag = file.variant === 'original' ? `"${image.sha256}"` : `"${image.sha256}.${file.variant}"`;
  const untilExpiry = expiresAt ? Math.floor((expiresAt.getTime() - Date.now()) / 1000) : MAX_AGE_SECONDS;
  const maxAge = Math.max(0, Math.min(MAX_AGE_SECONDS, untilExpiry));
  res.set({
    'Content-Type': file.mimeType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
    'Cache-Control': version === fileVersion(image.sha256) && maxAge > 0 ? `private, max-age=${maxAge}` : 'private, no-cache',
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(fileName(image.title, file.mimeType, file.variant), { type: 'inline' }),
    ETag: etag,
  });
  const unchanged = notModified(req, etag);
  if (unchanged || req.method === 'HEAD') {
    stream.destroy();
    if (unchanged) res.status(304).end();
    else res.set('Content-Length', String(size)).end();
    return;
  }
  if (range) {
    res.status(206).set({ 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) });
  } else {
    res.set('Content-Length', String(size));
  }
  await pipeline(stream, res).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  });
}
