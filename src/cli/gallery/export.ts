import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { EXTENSIONS } from '../../shared/image-types';
import { apiClient, messageOf, must, withRetries, type Api, type ImageJson } from './api';
import { eachLimited, sha256Of } from './library';
import { imagesOf } from './list';
import { CliError, plural, print } from './output';
import { progressBar } from './progress';
import { currentCredentials } from './settings';

/** One image of manifest.json: what the server says of it, and the file written for it. */
type Entry = {
  id: number;
  file: string;
  kind: 'original' | 'preview';
  /** The SHA-256 of the file written (the original's is `sha256`). */
  fileSha256: string;
  version: string;
  title: string;
  description: string;
  sha256: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  exif: Pick<
    ImageJson,
    | 'capturedAt'
    | 'cameraModel'
    | 'lensModel'
    | 'focalLength'
    | 'fNumber'
    | 'exposureTime'
    | 'iso'
    | 'orientation'
    | 'hasGps'
  >;
  tags: string[];
  favorite: boolean;
  createdAt: string;
};

type Options = { json?: boolean; concurrency?: number; retries: number };

/** A file name from an image's id and title: nothing a file system refuses, at most 80 characters of title. */
export function fileNameOf(image: ImageJson, kind: Entry['kind']): string {
  const stem = image.title
    .replace(/[\p{Cc}/\\:*?"<>|\u202a-\u202e\u2066-\u2069]+/gu, '-')
    .replace(/^[.\s-]+|[.\s]+$/g, '')
    .slice(0, 80);
  const extension = kind === 'original' ? EXTENSIONS[image.mimeType] : 'webp';
  return `${image.id}${stem ? `-${stem}` : ''}.${extension}`;
}

const versionOf = (url: string) => new URL(url).searchParams.get('v') ?? '';

async function previousManifest(dir: string): Promise<Map<number, Entry>> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { images?: Entry[] };
    return new Map((manifest.images ?? []).map((entry) => [entry.id, entry]));
  } catch {
    return new Map();
  }
}

/** Whether `path` already holds this file: the original's hash, or the preview written before for this version. */
async function alreadyThere(path: string, expected: string | undefined): Promise<string | null> {
  if (!expected || !(await stat(path).catch(() => null))?.isFile()) return null;
  const actual = await sha256Of(path);
  return actual === expected ? actual : null;
}

/** Downloads one file into `path` (through `path.part`, renamed once complete); its SHA-256. */
async function download(api: Api, image: ImageJson, kind: Entry['kind'], path: string, retries: number) {
  const { response, error } = await withRetries(
    () =>
      api.GET('/api/gallery/images/{id}/file', {
        params: { path: { id: image.id }, query: { size: kind } },
        parseAs: 'stream',
      }),
    retries,
  );
  if (!response.ok || !response.body) throw new CliError(`${messageOf(error, response)}`);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const part = `${path}.part`;
  await pipeline(Readable.fromWeb(response.body as never), hashing, createWriteStream(part));
  await rename(part, path);
  return hash.digest('hex');
}

function entryOf(image: ImageJson, kind: Entry['kind'], file: string, fileSha256: string): Entry {
  const { id, title, description, sha256, mimeType, size, width, height, createdAt } = image;
  const exif = {
    capturedAt: image.capturedAt,
    cameraModel: image.cameraModel,
    lensModel: image.lensModel,
    focalLength: image.focalLength,
    fNumber: image.fNumber,
    exposureTime: image.exposureTime,
    iso: image.iso,
    orientation: image.orientation,
    hasGps: image.hasGps,
  };
  return {
    id,
    file,
    kind,
    fileSha256,
    version: versionOf(image.preview),
    title,
    description,
    sha256,
    mimeType,
    size,
    width,
    height,
    exif,
    tags: image.tags,
    favorite: image.favorite,
    createdAt,
  };
}

/**
 * Every image of the gallery the caller may fetch into `dir`: its original where the caller may
 * see originals, else its preview, and manifest.json. A file already there with the right hash
 * is kept, so an export that was stopped goes on where it was.
 */
export async function exportGallery(galleryId: number, dir: string, options: Options): Promise<number> {
  const { server, token } = currentCredentials();
  const api = apiClient(server, token);
  const gallery = must(
    await api.GET('/api/gallery/galleries/{id}', { params: { path: { id: galleryId } } }),
    `Gallery ${galleryId}`,
  );
  const images = await imagesOf(server, token, galleryId);
  await mkdir(dir, { recursive: true });
  const before = await previousManifest(dir);
  const entries = new Map<number, Entry>();
  const failed: { id: number; message: string }[] = [];
  let [downloaded, kept, saves] = [0, 0, 0];
  const saveManifest = async () => {
    const manifest = {
      server,
      gallery: { id: gallery.id, name: gallery.name, description: gallery.description },
      exportedAt: new Date().toISOString(),
      images: images.flatMap((image) => entries.get(image.id) ?? []),
    };
    const temp = join(dir, `.manifest.json.${(saves += 1)}.tmp`);
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temp, join(dir, 'manifest.json'));
  };
  const bar = progressBar(
    'Exporting',
    images.length,
    images.reduce((sum, image) => sum + image.size, 0),
    Boolean(options.json),
  );
  await eachLimited(images, options.concurrency ?? 4, async (image) => {
    const kind = image.original ? 'original' : 'preview';
    const file = fileNameOf(image, kind);
    const path = join(dir, file);
    try {
      const previous = before.get(image.id);
      const expected =
        kind === 'original'
          ? image.sha256
          : previous?.version === versionOf(image.preview)
            ? previous.fileSha256
            : undefined;
      let fileSha256 = await alreadyThere(path, expected);
      if (fileSha256) kept += 1;
      else {
        fileSha256 = await download(api, image, kind, path, options.retries);
        downloaded += 1;
      }
      entries.set(image.id, entryOf(image, kind, file, fileSha256));
      if ((downloaded + kept) % 25 === 0) await saveManifest();
    } catch (error) {
      await rm(`${path}.part`, { force: true });
      failed.push({ id: image.id, message: error instanceof Error ? error.message : String(error) });
    }
    bar.add(1, image.size);
  });
  bar.stop();
  await saveManifest();
  print(Boolean(options.json), { gallery: gallery.id, dir, downloaded, kept, failed }, () => [
    ...failed.map((f) => `failed: image ${f.id}: ${f.message}`),
    `exported ${plural(images.length, 'image')} of "${gallery.name}" to ${dir}: downloaded ${downloaded}, kept ${kept} (already there), failed ${failed.length}`,
  ]);
  return failed.length > 0 ? 1 : 0;
}
