import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';

import { messageOf, withRetries, type Api } from './api';
import type { LocalImage } from './library';

/** What became of one file: 201 uploaded, 200 already in the gallery, anything else failed. */
export type Outcome = {
  file: LocalImage;
  gallery: number;
  status: number;
  image?: number;
  message?: string;
  /** A resumable upload that went on from this byte (one begun before). */
  resumedAt?: number;
};

type UploadFields = { image: string[] } & Record<string, string>;

/** The multipart body of `batch`, as a stream that reports the bytes read from it. */
async function multipartBody(batch: LocalImage[], onBytes: (count: number) => void) {
  const form = new FormData();
  batch.forEach((file, n) => {
    form.append(`title[${n}]`, file.title);
    if (file.description) form.append(`description[${n}]`, file.description);
  });
  for (const file of batch) form.append('image', await openAsBlob(file.path), basename(file.path));
  const encoded = new Response(form);
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
  return { contentType: encoded.headers.get('Content-Type')!, body: encoded.body!.pipeThrough(counter) };
}

/**
 * Sends `batch` to the gallery in one request of several files; one outcome per file, in order.
 * The request is repeated when the server cannot be reached or is unavailable (the server keeps
 * one image per set of bytes in a gallery, so nothing is stored twice); `onBytes` follows the
 * bytes sent, taken back for an attempt that is repeated.
 */
export async function sendBatch(
  api: Api,
  gallery: number,
  batch: LocalImage[],
  onBytes: (count: number) => void,
  retries: number,
): Promise<Outcome[]> {
  const total = batch.reduce((sum, file) => sum + file.size, 0);
  let sent = 0;
  const count = (bytes: number) => {
    const counted = Math.min(bytes, total - sent);
    sent += counted;
    onBytes(counted);
  };
  const attempt = withRetries(async () => {
    onBytes(-sent);
    sent = 0;
    const { contentType, body } = await multipartBody(batch, count);
    return api.POST('/api/gallery/galleries/{id}/images', {
      params: { path: { id: gallery } },
      body: {} as UploadFields,
      bodySerializer: () => body,
      headers: { 'Content-Type': contentType },
      duplex: 'half',
    });
  }, retries);
  const result = await attempt.catch((error: unknown) => error as Error);
  if (result instanceof Error) {
    onBytes(-sent);
    return batch.map((file) => ({ file, gallery, status: 0, message: result.message }));
  }
  onBytes(total - sent);
  if (!result.data) {
    const message = messageOf(result.error, result.response);
    return batch.map((file) => ({ file, gallery, status: result.response.status, message }));
  }
  return batch.map((file, n) => {
    const { status, image, error } = result.data.results[n] ?? { status: 0 };
    return { file, gallery, status, image: image?.id, message: error?.message };
  });
}
