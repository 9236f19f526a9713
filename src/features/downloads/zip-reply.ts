import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';

import { notModified } from '../../http/conditional';
import { byteRangeOf } from '../images';
import type { Download } from './downloads.service';

/** The reply's header that says whether the archive holds originals, previews or both. */
export const CONTENTS_HEADER = 'X-Gallery-Zip-Contents';

/**
 * Sends an archive: its exact length up front (Content-Length), its strong ETag, HEAD without
 * reading a file, If-None-Match (304), and on GET one byte range (206; 416 outside the archive; the
 * whole archive when If-Range names another ETag, a date, or several ranges are asked for).
 * Everything that can refuse the request (416, 429) does so before the first header is set.
 */
export async function sendZip(req: Request, res: Response, download: Download, headers: Record<string, string>) {
  const { plan } = download;
  const resumable = req.method === 'GET' || req.method === 'HEAD';
  const range = resumable ? byteRangeOf(req)(plan.length, plan.etag) : undefined;
  const unchanged = notModified(req, plan.etag);
  const started =
    unchanged || req.method === 'HEAD' ? null : await download.begin(range ?? { start: 0, end: plan.length - 1 });
  res.set({
    'Content-Type': 'application/zip',
    'Content-Disposition': contentDisposition(plan.filename),
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': resumable ? 'bytes' : 'none',
    ETag: plan.etag,
    [CONTENTS_HEADER]: plan.contents,
    ...headers,
  });
  if (!started) {
    if (unchanged) res.status(304).end();
    else res.set('Content-Length', String(plan.length)).end();
    return;
  }
  if (range) {
    res.status(206).set({
      'Content-Range': `bytes ${range.start}-${range.end}/${plan.length}`,
      'Content-Length': String(range.end - range.start + 1),
    });
  } else {
    res.set('Content-Length', String(plan.length));
  }
  try {
    await pipeline(started.stream, res);
  } catch (error) {
    // A client that went away is no failure; a file that failed mid-way cuts the connection
    // (the error handler, with the headers sent), so the client sees an incomplete download.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  } finally {
    started.release();
  }
}
