// Resumable uploads (tus 1.0, the server's /api/uploads/, see docs/uploads.md) of large files: a
// file cut off — a lost connection, the client or the server killed — goes on from the offset the
// server reports. Where each upload is kept, by server, gallery and SHA-256, in the config folder
// (uploads.json), so that a later run resumes it rather than starting over.
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';

import type { LocalImage } from './library';
import type { Outcome } from './send';
import { configDir } from './settings';

const TUS = { 'Tus-Resumable': '1.0.0' };
type Stored = Record<string, { url: string; at: string }>;
export type Resumable = { server: string; token: string; retries: number };

/** Whether the server speaks tus 1.0 at /api/uploads/. */
export async function speaksTus(server: string): Promise<boolean> {
  const response = await fetch(`${server}/api/uploads/`, { method: 'OPTIONS' }).catch(() => null);
  return Boolean(response?.ok && response.headers.get('Tus-Version')?.split(',').includes('1.0.0'));
}

const stateFile = () => join(configDir(), 'uploads.json');
let saving: Promise<unknown> = Promise.resolve();

async function stored(): Promise<Stored> {
  return JSON.parse(await readFile(stateFile(), 'utf8').catch(() => '{}')) as Stored;
}

/** Notes (or, with null, forgets) where the upload of `key` is; one write at a time. */
function remember(key: string, url: string | null): Promise<unknown> {
  saving = saving.then(async () => {
    const all = await stored();
    if (url) all[key] = { url, at: new Date().toISOString() };
    else delete all[key];
    // A token from GALLERY_TOKEN needs no login, so the folder may not be there yet.
    await mkdir(configDir(), { recursive: true, mode: 0o700 });
    const temp = `${stateFile()}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, stateFile());
  });
  return saving.catch(() => undefined);
}

const metadata = (pairs: Record<string, string>) =>
  Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');

type Reply = { status: number; json: { message?: string; id?: number } | null; offset: number | null };

async function call(url: string, init: RequestInit & { duplex?: 'half' }, token: string): Promise<Reply> {
  const response = await fetch(url, { ...init, headers: { ...TUS, Authorization: `Token ${token}`, ...init.headers } });
  const text = await response.text();
  let json: Reply['json'] = null;
  try {
    json = text ? (JSON.parse(text) as Reply['json']) : null;
  } catch {
    // not JSON: only the status counts
  }
  const offset = response.headers.get('Upload-Offset');
  const location = response.headers.get('Location');
  return Object.assign(
    { status: response.status, json, offset: offset === null ? null : Number(offset) },
    { location },
  );
}

/** A new upload of `file` into `gallery`: its URL, or the refusal (413 quota, 400, 403…). */
async function create(ctx: Resumable, gallery: number, file: LocalImage) {
  const fields = { gallery: String(gallery), title: file.title, filename: basename(file.path) };
  const reply = (await call(
    `${ctx.server}/api/uploads/`,
    {
      method: 'POST',
      headers: {
        'Upload-Length': String(file.size),
        'Upload-Metadata': metadata(file.description ? { ...fields, description: file.description } : fields),
      },
    },
    ctx.token,
  )) as Reply & { location: string | null };
  if (reply.status !== 201 || !reply.location) return { refused: reply };
  return { url: new URL(reply.location, ctx.server).toString() };
}

/** The bytes of `file` from `offset` on, reported to `onBytes` as they are read. */
function bodyFrom(file: LocalImage, offset: number, onBytes: (count: number) => void) {
  const stream = createReadStream(file.path, { start: offset });
  stream.on('data', (chunk) => onBytes(chunk.length));
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
}

/** What a final reply means for the file. */
function outcomeOf(file: LocalImage, gallery: number, reply: Reply, resumedAt: number): Outcome {
  if (reply.status === 200 || reply.status === 201)
    return { file, gallery, status: reply.status, image: reply.json?.id, resumedAt };
  return { file, gallery, status: reply.status, message: reply.json?.message ?? `status ${reply.status}` };
}

/** One try: where the server is (HEAD of a known upload, or a new one), then the rest in one PATCH. */
async function attempt(ctx: Resumable, gallery: number, file: LocalImage, key: string, onBytes: (n: number) => void) {
  let url: string | undefined = (await stored())[key]?.url;
  let offset = 0;
  if (url) {
    const head = await call(url, { method: 'HEAD' }, ctx.token);
    if (head.status === 200 && head.offset !== null) offset = head.offset;
    else url = undefined; // expired, or no longer this user's: a new upload
  }
  if (!url) {
    const made = await create(ctx, gallery, file);
    if (made.refused) return { done: outcomeOf(file, gallery, made.refused, 0) };
    url = made.url;
    await remember(key, url);
  }
  const rest = file.size - offset;
  const reply = await call(
    url,
    {
      method: 'PATCH',
      headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      ...(rest > 0 ? { body: bodyFrom(file, offset, onBytes), duplex: 'half' as const } : {}),
    },
    ctx.token,
  );
  if (reply.status === 409 || reply.status === 423 || reply.status === 204 || reply.status >= 500)
    return { again: true };
  await remember(key, null);
  return { done: outcomeOf(file, gallery, reply, offset) };
}

/**
 * Sends one file through a resumable upload, resuming one this client began before (in this run
 * or an earlier one); tried again, from where the server is, up to `retries` times.
 */
export async function sendResumable(
  ctx: Resumable,
  gallery: number,
  file: LocalImage,
  onBytes: (count: number) => void,
): Promise<Outcome> {
  const key = `${ctx.server} ${gallery} ${file.sha256}`;
  let counted = 0;
  const count = (bytes: number) => {
    const more = Math.min(bytes, file.size - counted);
    counted += more;
    onBytes(more);
  };
  const done = (outcome: Outcome) => (onBytes(file.size - counted), outcome);
  let lastError = 'the upload did not finish';
  for (let tried = 0; tried <= ctx.retries; tried++) {
    if (tried > 0) await new Promise((done) => setTimeout(done, 500 * 2 ** (tried - 1)));
    try {
      const result = await attempt(ctx, gallery, file, key, count);
      if (result.done) return done(result.done);
    } catch (error) {
      lastError = `The server could not be reached: ${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}`;
    }
  }
  return done({ file, gallery, status: 0, message: lastError });
}
