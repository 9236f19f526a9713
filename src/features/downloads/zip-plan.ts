import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';

import { zipLength, type ZipSource } from './zip-archive';
import {
  contentsOf,
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  manifestText,
  type Audience,
  type Contents,
  type ZipItem,
  type ZipSourceInfo,
} from './zip-manifest';

/** An archive as it will be sent: its files, and what is known of it before a byte is read. */
export type ZipPlan = {
  items: ZipItem[];
  source: ZipSourceInfo;
  audience: Audience;
  /** The archive's own file name (Content-Disposition). */
  filename: string;
  contents: Contents;
  /** Its exact length in bytes. */
  length: number;
  /** A strong entity tag: the same for the same bytes, another as soon as one byte would differ. */
  etag: string;
};

/** The time of an entry: its image's upload (the manifest: the newest upload, or a fixed day). */
const timeOf = (item: ZipItem) => new Date(item.image.createdAt);
const EMPTY_TIME = new Date(Date.UTC(2000, 0, 1));

function manifestTime(items: ZipItem[]): Date {
  const times = items.map((item) => timeOf(item).getTime());
  return times.length ? new Date(Math.max(...times)) : EMPTY_TIME;
}

/**
 * The entity tag, from everything the bytes are made of: each file's storage key, SHA-256, name,
 * size and time (with the server's time-zone offset at that time, which the DOS time of a zip
 * entry is written in), and the manifest's text.
 */
function etagOf(items: ZipItem[], entries: Pick<ZipSource, 'name' | 'size' | 'mtime'>[], manifest: string): string {
  const hash = createHash('sha256').update(MANIFEST_FORMAT);
  for (const [i, entry] of entries.entries()) {
    const item = items[i] as ZipItem | undefined;
    hash.update(
      JSON.stringify([
        item?.key ?? null,
        item?.image.sha256 ?? null,
        entry.name,
        entry.size,
        entry.mtime.getTime(),
        entry.mtime.getTimezoneOffset(),
      ]),
    );
  }
  return `"${hash.update(manifest).digest('base64url')}"`;
}

/** The archive of these files, with its manifest last: its length and entity tag, worked out now. */
export function planZip(items: ZipItem[], source: ZipSourceInfo, audience: Audience, filename: string): ZipPlan {
  const template = manifestText(items, source, audience, () => null);
  const entries = [
    ...items.map((item) => ({ name: item.name, size: item.size, mtime: timeOf(item) })),
    { name: MANIFEST_NAME, size: Buffer.byteLength(template), mtime: manifestTime(items) },
  ];
  return {
    items,
    source,
    audience,
    filename,
    contents: contentsOf(items),
    length: zipLength(entries),
    etag: etagOf(items, entries, template),
  };
}

/** Passes bytes on and gives their SHA-256 (hex) once they have all passed. */
function hashing(done: (sha256: string) => void): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      done(hash.digest('hex'));
      callback();
    },
  });
}

/**
 * The entries to stream for `plan`: each file as `open` gives it (a preview's SHA-256 taken on the
 * way, for the manifest), then the manifest, written once every file before it has passed.
 */
export function sourcesOf(plan: ZipPlan, open: (item: ZipItem) => Promise<Readable>): ZipSource[] {
  const hashes: (string | null)[] = plan.items.map(() => null);
  const files = plan.items.map((item, i): ZipSource => ({
    name: item.name,
    size: item.size,
    mtime: timeOf(item),
    async open() {
      const stream = await open(item);
      if (item.kind === 'original') return stream;
      const hashed = hashing((sha256) => (hashes[i] = sha256));
      // An error of either ends both; the archive sees it on the stream it reads.
      return pipeline(stream, hashed, () => undefined);
    },
  }));
  const template = manifestText(plan.items, plan.source, plan.audience, () => null);
  const manifest: ZipSource = {
    name: MANIFEST_NAME,
    size: Buffer.byteLength(template),
    mtime: manifestTime(plan.items),
    open() {
      const text = Buffer.from(manifestText(plan.items, plan.source, plan.audience, (i) => hashes[i]));
      if (text.length !== Buffer.byteLength(template)) return Promise.reject(new Error('the manifest changed length'));
      return Promise.resolve(Readable.from([text]));
    },
  };
  return [...files, manifest];
}
