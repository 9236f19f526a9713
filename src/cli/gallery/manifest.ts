import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MANIFEST = 'manifest.json';

/** What a manifest says of one file: its texts, and the tags and star to give its image. */
export type ManifestEntry = { title: string; description: string; tags?: string[]; favorite?: boolean };

/**
 * A folder's manifest.json, as `gallery export` and the zip download write it, by file name.
 * `recognised`: it is one (then manifest.json is no file of the library); `warnings`: what of it
 * could not be used, for the user to read.
 */
export type FolderManifest = { recognised: boolean; entries: Map<string, ManifestEntry>; warnings: string[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** One image of the manifest; a `tags` or `favorite` of the wrong type is left out with a warning. */
function entryOf(image: Record<string, unknown>, where: string, warnings: string[]): ManifestEntry {
  const entry: ManifestEntry = {
    title: image.title as string,
    description: typeof image.description === 'string' ? image.description : '',
  };
  const file = String(image.file);
  if (isStringList(image.tags)) entry.tags = image.tags;
  else if (image.tags !== undefined) warnings.push(`${where}: ${file}: "tags" is not a list of strings; left out`);
  if (typeof image.favorite === 'boolean') entry.favorite = image.favorite;
  else if (image.favorite !== undefined) warnings.push(`${where}: ${file}: "favorite" is not true or false; left out`);
  return entry;
}

/**
 * Reads `dir/manifest.json`. None: nothing to say. One that cannot be read, is not JSON or has
 * no list of images: a warning (titles then come from the file names, and no tags are given),
 * never a failure of the import. Images without a file name or a title are left out, and said so.
 */
export async function readManifest(dir: string): Promise<FolderManifest> {
  const entries = new Map<string, ManifestEntry>();
  const where = join(dir, MANIFEST);
  const unused = (why: string): FolderManifest => ({
    recognised: false,
    entries,
    warnings: [`${where}: ${why}; titles come from the file names and no tags are given`],
  });
  let text: string;
  try {
    text = await readFile(where, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'EISDIR' ? { recognised: false, entries, warnings: [] } : unused(String(code));
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return unused(`not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(manifest) || !Array.isArray(manifest.images)) return unused('no "images" list in it');
  const warnings: string[] = [];
  let leftOut = 0;
  for (const image of manifest.images as unknown[]) {
    if (isObject(image) && typeof image.file === 'string' && typeof image.title === 'string') {
      entries.set(image.file, entryOf(image, where, warnings));
    } else leftOut += 1;
  }
  if (leftOut > 0) warnings.push(`${where}: ${leftOut} of its images have no file name or title; left out`);
  return { recognised: true, entries, warnings };
}
