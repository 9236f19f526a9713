// Resumable uploads (tus 1.0 under /api/uploads/, docs/uploads.md) with tus-js-client. This module
// and the client are loaded only when a file needs them (components/upload-lazy.js): the first
// load stays as small as it was. The session cookie signs the requests in, with the CSRF header
// the API asks of the browser on writes. tus-js-client remembers each upload it created in
// localStorage until it succeeds (unfinished.ts): the same file picked again, after a reload,
// continues from the offset the server reports (its HEAD), not from the start.
import { Upload, type DetailedError, type HttpResponse } from 'tus-js-client';

import { CSRF_HEADER } from './client';
import { fingerprintOf, forget } from './unfinished';
import { resultOf, type UploadResult } from './upload';

/** Tried again at once, then after 1, 3 and 5 s: a lost connection, a 5xx, a 408, 409, 423 or 429. */
const RETRIES = [0, 1000, 3000, 5000];
const passing = (status: number) => status === 0 || status >= 500 || [408, 409, 423, 429].includes(status);
/** One PATCH sends at most this much: a request cut by the server's time limit loses little. */
const CHUNK = 8 << 20;

/** The status of the reply an upload failed on (0: none came), and that reply's JSON. */
function replyOf(response: HttpResponse | null | undefined): [number, unknown] {
  if (!response) return [0, null];
  try {
    return [response.getStatus(), JSON.parse(response.getBody())];
  } catch {
    return [response.getStatus(), null];
  }
}

/**
 * What became of an upload whose bytes are all in. The request that brought the last byte answers
 * with the image or the error, as a multipart upload would; an upload resumed after that finds
 * its whole length at once (HEAD, no body), and a PATCH without bytes gives the same answer again.
 */
async function resultAfter(url: string, length: number, last: HttpResponse): Promise<UploadResult> {
  if (last.getBody()) return resultOf(...replyOf(last));
  try {
    const reply = await fetch(url, {
      method: 'PATCH',
      headers: {
        [CSRF_HEADER]: '1',
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': String(length),
        'Content-Type': 'application/offset+octet-stream',
      },
    });
    return resultOf(reply.status, await reply.json().catch(() => null));
  } catch {
    return resultOf(0, null);
  }
}

/**
 * Sends `file` as a resumable upload of `owner` into the gallery, from where the server stopped
 * when this browser has an unfinished upload of it. Aborting `signal` terminates the upload on the
 * server (its bytes go), unless its reason is 'keep' (signing out: the same user may resume it).
 * The result is that of a multipart upload. A refused upload (4xx) is terminated; one that lost its
 * connection or met server errors (after the retries) stays, to be resumed.
 */
export function uploadResumable(
  fields: { title: string; gallery: number },
  file: File,
  owner: number,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve) => {
    /** Stops the upload; terminated, it is forgotten first, so that nothing offers to resume it. */
    const stop = (terminate: boolean) => {
      if (terminate && upload.url) forget(owner, fields.gallery, upload.url);
      return upload.abort(terminate).catch(() => {});
    };
    const upload = new Upload(file, {
      endpoint: new URL('/api/uploads/', location.href).href,
      fingerprint: () => Promise.resolve(fingerprintOf(owner, fields.gallery, file)),
      metadata: { gallery: String(fields.gallery), title: fields.title, filename: file.name },
      headers: { [CSRF_HEADER]: '1' },
      chunkSize: CHUNK,
      retryDelays: RETRIES,
      removeFingerprintOnSuccess: true,
      onShouldRetry: (error) => passing(replyOf(error.originalResponse)[0]),
      onProgress: (sent, total) => onProgress(sent / total),
      onSuccess: ({ lastResponse }) => void resultAfter(upload.url!, file.size, lastResponse).then(resolve),
      onError: (error) => {
        const [status, body] = replyOf((error as DetailedError).originalResponse);
        void (passing(status) ? Promise.resolve() : stop(true)).then(() => resolve(resultOf(status, body)));
      },
    });
    signal.addEventListener('abort', () => void stop(signal.reason !== 'keep').then(() => resolve(resultOf(0, null))), {
      once: true,
    });
    void upload.findPreviousUploads().then(([previous]) => {
      if (signal.aborted) return;
      if (previous) upload.resumeFromPreviousUpload(previous);
      upload.start();
    });
  });
}
