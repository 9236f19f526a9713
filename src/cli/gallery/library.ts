import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

import { sniffImageType, type ImageMimeType } from '../../shared/image-types';
import { MANIFEST, readManifest, type ManifestEntry } from './manifest';
import { CliError } from './output';

/** An image file of the folder being imported. */
export type LocalImage = {
  path: string;
  /** Its folder, relative to the imported folder, with `/` ('' for the folder itself). */
  folder: string;
  size: number;
  mimeType: ImageMimeType;
  title: string;
  description?: string;
  /** From the folder's manifest: the tags to give its image, and whether the importer stars it. */
  tags?: string[];
  favorite?: boolean;
  sha256?: string;
};

/** `warnings`: what of the folders' manifests could not be used. */
export type Library = { images: LocalImage[]; ignored: string[]; warnings: string[] };

/** The file name without its extension: the title an image gets (the server makes the same one). */
export function titleOf(path: string): string {
  const title = basename(path)
    .replace(/\.[^.]*$/, '')
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .trim();
  return title.slice(0, 200).trim() || 'Untitled';
}

async function typeOf(path: string): Promise<ImageMimeType | null> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(32);
    const { bytesRead } = await handle.read(head, 0, 32, 0);
    return sniffImageType(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Every image file under `root` (recursively; hidden files and folders left out), told by its
 * first bytes, not its name; other files are listed as ignored. Titles from the file names, or
 * from the manifest of a folder that `gallery export` (or a zip download) wrote, with the tags
 * and the star it gives each image.
 */
export async function scanLibrary(root: string): Promise<Library> {
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new CliError(`Not a folder: ${root}`, 2);
  const library: Library = { images: [], ignored: [], warnings: [] };
  const visit = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    const manifest = await readManifest(dir);
    library.warnings.push(...manifest.warnings);
    const folder = relative(root, dir).split(sep).join('/');
    const missing = new Set(manifest.entries.keys());
    for (const entry of entries) {
      if (entry.name.startsWith('.') || (manifest.recognised && entry.name === MANIFEST)) continue;
      const path = join(dir, entry.name);
      missing.delete(entry.name);
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) await add(path, folder, manifest.entries.get(entry.name));
    }
    if (missing.size > 0) {
      const names = [...missing].slice(0, 3).join(', ') + (missing.size > 3 ? ', …' : '');
      library.warnings.push(`${join(dir, MANIFEST)}: ${missing.size} of its files are not in the folder (${names})`);
    }
  };
  const add = async (path: string, folder: string, listed?: ManifestEntry) => {
    const mimeType = await typeOf(path);
    if (!mimeType) return void library.ignored.push(path);
    const { size } = await stat(path);
    library.images.push({
      path,
      folder,
      size,
      mimeType,
      title: listed?.title ?? titleOf(path),
      description: listed?.description,
      ...(listed?.tags && listed.tags.length > 0 ? { tags: listed.tags } : {}),
      ...(listed?.favorite ? { favorite: true } : {}),
    });
  };
  await visit(root);
  return library;
}

/** The SHA-256 of a file, read as a stream. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs `work` on every item, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
