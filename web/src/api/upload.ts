// Uploads go through XMLHttpRequest, not fetch: only XHR reports upload progress. The reply is
// typed with the generated API types all the same. A large file goes as a resumable upload
// instead (resumable.ts, loaded only then), with the same results.
import { CSRF_HEADER, type ApiError, type UploadedImage } from './client';
import type { paths } from './schema';

type UploadFields = paths['/api/gallery/images']['post']['requestBody']['content']['multipart/form-data'];

export type UploadResult =
  { ok: true; status: 200 | 201; image: UploadedImage } | { ok: false; status: number; message: string };

/** What a failed upload means for the person who sent it, by status. */
export function uploadErrorMessage(status: number, body: ApiError | null): string {
  switch (status) {
    case 413:
      return body?.message?.startsWith('Storage quota')
        ? body.message
        : `Too large: ${body?.message ?? 'the file is over the size limit.'}`;
    case 415:
      return 'Not an image this server accepts (JPEG, PNG, GIF, WebP or AVIF).';
    case 409:
      return body?.message ?? 'This image is already in the gallery.';
    case 507:
      return 'The server is out of disk space: the file was not stored. Try again later.';
    case 0:
      return 'The connection was lost during the upload.';
    default:
      return body?.message ?? `Upload failed (${status}).`;
  }
}

/** What an upload's reply means: the image (201 new, 200 already in the gallery) or why it failed. */
export function resultOf(status: number, body: unknown): UploadResult {
  return status === 200 || status === 201
    ? { ok: true, status, image: body as UploadedImage }
    : { ok: false, status, message: uploadErrorMessage(status, body as ApiError | null) };
}

/** From this size on a file goes resumable: 8 MB, or what `localStorage['gallery.resumableBytes']` says. */
export function resumableFrom(): number {
  try {
    return Number(localStorage.getItem('gallery.resumableBytes')) || 8 << 20;
  } catch {
    return 8 << 20;
  }
}

export function uploadImage(
  fields: Omit<UploadFields, 'image'>,
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadResult> {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('title', fields.title);
    form.append('description', fields.description ?? '');
    form.append('gallery', String(fields.gallery));
    form.append('image', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/gallery/images/');
    xhr.setRequestHeader(CSRF_HEADER, '1');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    // All sent: the server is storing it (and the bar shows it full before the reply comes).
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => resolve(resultOf(xhr.status, xhr.response));
    xhr.onerror = () => resolve(resultOf(0, null));
    xhr.onabort = () => resolve({ ok: false, status: 0, message: 'Cancelled.' });
    xhr.onloadend = () => signal?.removeEventListener('abort', stop);
    const stop = () => xhr.abort();
    signal?.addEventListener('abort', stop);
    xhr.send(form);
  });
}
