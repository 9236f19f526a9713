import type { Readable } from 'node:stream';

import type { Storage } from '../../platform/storage/storage';
import { variantKey } from '../../platform/storage/storage-keys';
import { EXTENSIONS, type ImageMimeType } from '../../shared/image-types';
import type { ImageRow } from '../images';
import { MANIFEST_NAME, type FileKind, type ZipItem } from './zip-manifest';
import { safeBaseName, uniqueNames } from './zip-names';

/** How many files are looked at (`stat`: a HEAD on S3) at once while an archive is planned. */
const STATS_AT_ONCE = 16;

/** Runs `work` on every item, `limit` at a time, and gives the results in the items' order. */
export async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export type ItemChoice = {
  /** Whether this image's original goes in (else its preview). */
  mayOriginal: (image: ImageRow) => boolean;
  /**
   * Makes a missing preview again (an image stored before variants existed, a lost file) the way
   * the file route does, and gives its size.
   */
  remakePreview: (image: ImageRow) => Promise<number>;
};

/**
 * The archive's files for these images, in their order: each image's original or preview, with
 * its size (an original's from its row, a preview's from the storage) and a name made from its
 * title, safe and unique in the archive, with the extension of the file's type.
 */
export async function itemsOf(images: ImageRow[], choice: ItemChoice, storage: Storage): Promise<ZipItem[]> {
  const sized = await mapLimited(images, STATS_AT_ONCE, async (image) => {
    const kind: FileKind = choice.mayOriginal(image) ? 'original' : 'preview';
    if (kind === 'original') {
      return { image, kind, key: image.storageKey, size: image.size, mimeType: image.mimeType };
    }
    const key = variantKey(image.storageKey, 'preview');
    const stored = await storage.stat(key);
    const size = stored ? stored.size : await choice.remakePreview(image);
    return { image, kind, key, size, mimeType: 'image/webp' };
  });
  const nameOf = uniqueNames([MANIFEST_NAME]);
  return sized.map((item) => ({
    ...item,
    name: nameOf(
      safeBaseName(item.image.title, `image ${item.image.id}`),
      EXTENSIONS[item.mimeType as ImageMimeType] ?? 'bin',
    ),
  }));
}

/** Opens an item's file; one that is not the size planned is refused (it would break the archive). */
export async function openItem(storage: Storage, item: ZipItem): Promise<Readable> {
  const { stream, size } = await storage.get(item.key);
  if (size !== item.size) {
    stream.destroy();
    throw new Error(`stored file ${item.key} is ${size} bytes, ${item.size} were planned`);
  }
  return stream;
}
