// Uploads go through XMLHttpRequest, not fetch: only XHR reports upload progress. The reply is
// typed with the generated API types all the same.
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
    xhr.onload = () => {
      const status = xhr.status;
      if (status === 200 || status === 201) {
        onProgress(1);
        resolve({ ok: true, status, image: xhr.response as UploadedImage });
      } else {
        resolve({ ok: false, status, message: uploadErrorMessage(status, xhr.response as ApiError | null) });
      }
    };
    xhr.onerror = () => resolve({ ok: false, status: 0, message: uploadErrorMessage(0, null) });
    xhr.onabort = () => resolve({ ok: false, status: 0, message: 'Cancelled.' });
    xhr.onloadend = () => signal?.removeEventListener('abort', stop);
    const stop = () => xhr.abort();
    signal?.addEventListener('abort', stop);
    xhr.send(form);
  });
}
