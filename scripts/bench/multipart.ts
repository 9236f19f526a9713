// multipart/form-data bodies built once as bytes, and a small http.request client, so that the
// server under test and the plain reference receive exactly the same bytes from the same client.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';

export type FilePart = { field: string; filename: string; contentType: string };
/** Everything of a multipart body but the file's bytes: `head` + file + `tail`. */
export type MultipartFrame = { contentType: string; head: Buffer; tail: Buffer };

export function multipartFrame(fields: Record<string, string>, file: FilePart): MultipartFrame {
  const boundary = `----bench${randomBytes(12).toString('hex')}`;
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  parts.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(parts.join(''), 'utf8'),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  };
}

export function multipartBody(
  fields: Record<string, string>,
  file: FilePart,
  bytes: Buffer,
): { contentType: string; body: Buffer } {
  const frame = multipartFrame(fields, file);
  return { contentType: frame.contentType, body: Buffer.concat([frame.head, bytes, frame.tail]) };
}

export type Reply = {
  status: number;
  body: string;
  /** From the request's start to the last byte of the reply. */
  ms: number;
  /** From the request's start until the whole body was handed to the kernel. */
  sentMs: number;
};

type Body = { buffer: Buffer } | { frame: MultipartFrame; path: string; size: number };

/**
 * POSTs a body: a Buffer in one write, or a multipart frame around a file streamed from disk
 * (64 KiB reads, with backpressure). `onSent` runs when the body has been written out.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  contentType: string,
  body: Body,
  options: { agent?: http.Agent; onSent?: () => void } = {},
): Promise<Reply> {
  const length = 'buffer' in body ? body.buffer.length : body.frame.head.length + body.size + body.frame.tail.length;
  const start = performance.now();
  let sentMs = NaN;
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        headers: { ...headers, 'content-type': contentType, 'content-length': String(length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - start,
            sentMs,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('finish', () => {
      sentMs = performance.now() - start;
      options.onSent?.();
    });
    if ('buffer' in body) {
      req.end(body.buffer);
      return;
    }
    req.write(body.frame.head);
    const file = createReadStream(body.path, { highWaterMark: 64 * 1024 });
    file.on('error', (error) => req.destroy(error));
    file.on('end', () => req.end(body.frame.tail));
    file.pipe(req, { end: false });
  });
}

/** JSON in, JSON out (for register / login / create gallery). */
export async function postJson<T>(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  const text = await res.text();
  let json: T;
  try {
    json = JSON.parse(text) as T;
  } catch {
    throw new Error(`${url}: ${res.status} ${text.slice(0, 200)}`);
  }
  return { status: res.status, json };
}
