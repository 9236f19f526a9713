import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';

import { notModified } from '../../http/conditional';
import { withoutUnsafeCharacters } from '../../http/text-fields';
import { AppError } from '../../shared/errors';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import type { ImageDelivery, RangeFor } from './image-delivery';

type OpenedFile = Awaited<ReturnType<ImageDelivery['openFile']>>;

/**
 * One byte range (206) from the Range header; a malformed or multi-part one gets the whole file, and
 * so does one whose If-Range names another file than this one (the client holds part of an older
 * file; a date never matches, these files have no Last-Modified: RFC 9110 §13.1.5).
 */
export function byteRangeOf(req: Request): RangeFor {
  return (size, etag) => {
    if (!req.headers.range || size === 0) return undefined;
    const ifRange = req.get('If-Range');
    if (ifRange !== undefined && ifRange.trim() !== etag) return undefined;
    const ranges = req.range(size, { combine: true });
    if (ranges === -1)
      throw new AppError('RANGE_NOT_SATISFIABLE', undefined, { headers: { 'Content-Range': `bytes */${size}` } });
    return Array.isArray(ranges) && ranges.length === 1 ? { start: ranges[0].start, end: ranges[0].end } : undefined;
  };
}

/** A file name from the title: no path separators, control or bidi characters, the real extension. */
function downloadName(title: string, mimeType: string, size: string): string {
  // Controls and bidi characters out, then runs of slashes, quotes and white space as one space.
  const base =
    withoutUnsafeCharacters(title)
      .replace(/[\\/"\s]+/gu, ' ')
      .trim()
      .slice(0, 100) || 'image';
  const suffix = size === 'original' ? '' : ` (${size})`;
  return `${base}${suffix}.${EXTENSIONS[mimeType as ImageMimeType] ?? 'bin'}`;
}

/**
 * Sends an opened image file: its type, a strict CSP, its ETag (If-None-Match → 304),
 * HEAD, one byte range, a download name from its title; `headers` add the caller's caching.
 */
export async function sendImageFile(req: Request, res: Response, file: OpenedFile, headers: Record<string, string>) {
  const { image, stream, size, range, etag } = file;
  res.set({
    'Content-Type': file.mimeType,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'",
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(downloadName(image.title, file.mimeType, file.variant), {
      type: 'inline',
    }),
    ETag: etag,
    ...headers,
  });
  const unchanged = notModified(req, etag);
  if (unchanged || req.method === 'HEAD') {
    stream.destroy();
    if (unchanged) res.status(304).end();
    else res.set('Content-Length', String(size)).end();
    return;
  }
  if (range) {
    res.status(206).set({
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
      'Content-Length': String(range.end - range.start + 1),
    });
  } else {
    res.set('Content-Length', String(size));
  }
  await pipeline(stream, res).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  });
}
