import { request } from 'node:http';

import { readReply, send, type HttpReply } from './server-process';

/** The little of a tus client the process tests need, over plain HTTP requests to a server process. */

export const TUS = { 'Tus-Resumable': '1.0.0' };

/** A tus Upload-Metadata header. */
export function metadataHeader(pairs: Record<string, string | number>) {
  return Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(String(value)).toString('base64')}`)
    .join(',');
}

/** Creates an upload of `length` bytes; its path (`/api/uploads/<id>`). */
export async function createUpload(
  url: string,
  auth: Record<string, string>,
  length: number,
  metadata: Record<string, string | number>,
): Promise<string> {
  const reply = await send(url, {
    method: 'POST',
    path: '/api/uploads/',
    headers: { ...auth, ...TUS, 'Upload-Length': String(length), 'Upload-Metadata': metadataHeader(metadata) },
  });
  if (reply.status !== 201) throw new Error(`creation failed: ${reply.status} ${reply.body.toString()}`);
  return new URL(String(reply.headers.location)).pathname;
}

/** Terminates an upload; the status. */
export async function deleteUpload(url: string, auth: Record<string, string>, path: string): Promise<number> {
  return (await send(url, { method: 'DELETE', path, headers: { ...auth, ...TUS } })).status;
}

export function patchUpload(
  url: string,
  auth: Record<string, string>,
  path: string,
  offset: number,
  bytes: Buffer,
): Promise<HttpReply> {
  return send(url, {
    method: 'PATCH',
    path,
    headers: {
      ...auth,
      ...TUS,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
    },
    body: bytes,
  });
}

/** The offset the server reports (HEAD), or the status when it is not 200. */
export async function offsetOf(url: string, auth: Record<string, string>, path: string): Promise<number | string> {
  return new Promise((done, fail) => {
    const req = request(`${url}${path}`, { method: 'HEAD', headers: { ...auth, ...TUS } }, (res) => {
      res.resume();
      res.on('end', () =>
        done(res.statusCode === 200 ? Number(res.headers['upload-offset']) : `status ${res.statusCode}`),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * A PATCH whose body is sent as the test says: `write` sends more of it, `end` finishes it and
 * resolves to the reply; the request stays open in between (a client in the middle of an upload).
 */
export function openPatch(url: string, auth: Record<string, string>, path: string, offset: number, length: number) {
  let settle: (reply: HttpReply) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const replied = new Promise<HttpReply>((done, failed) => {
    settle = done;
    fail = failed;
  });
  const req = request(`${url}${path}`, {
    method: 'PATCH',
    headers: {
      ...auth,
      ...TUS,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(length),
    },
  });
  req.on('response', (res) => void readReply(res).then(settle, fail));
  req.on('error', fail);
  req.flushHeaders();
  return {
    write: (bytes: Buffer) => new Promise<void>((done) => req.write(bytes, () => done())),
    end: (bytes?: Buffer) => {
      req.end(bytes);
      return replied;
    },
    /** The reply (or the connection's end), without sending more. */
    replied,
    destroy: () => req.destroy(),
  };
}
