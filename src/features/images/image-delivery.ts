import { storageFailureOf } from '../../platform/storage/errors';
import { variantKey } from '../../platform/storage/storage-keys';
import type { Config } from '../../shared/config';
import { forbidden } from '../../shared/errors';
import type { VariantName } from '../../shared/image-variants';
import type { ImageFiles } from './image-files';
import { remakeVariants } from './image-processing';
import { fileTag } from './images.mapper';
import type { ImageRow } from './images.repository';

export type FileSize = VariantName | 'original';
/**
 * Picks the byte range to send from the file's size and entity tag (a Range header, and its
 * If-Range), or none: the whole file.
 */
export type RangeFor = (size: number, etag: string) => { start: number; end: number } | undefined;

/** An image's files as they are sent: which one a caller gets, and a missing variant made again. */
export function createImageDelivery({ files, config }: { files: ImageFiles; config: Pick<Config, 'maxImagePixels'> }) {
  const remaking = new Map<string, Promise<void>>();

  /** Makes an original's variants again, once however many ask for them at the same time. */
  function remakeOnce(storageKey: string): Promise<void> {
    let pending = remaking.get(storageKey);
    if (!pending) {
      pending = (async () => {
        const { stream } = await files.open(storageKey);
        await files.storeVariants(storageKey, await remakeVariants(stream, config.maxImagePixels));
      })().finally(() => remaking.delete(storageKey));
      remaking.set(storageKey, pending);
    }
    return pending;
  }

  return {
    /**
     * The file to send: `size` as asked, or by default the original for those who may see it and
     * the preview for everyone else (an original asked for by someone else: 403 with `refusal`).
     */
    async openFile(
      image: ImageRow,
      size: FileSize | undefined,
      mayOriginal: boolean,
      refusal: string,
      rangeFor?: RangeFor,
    ) {
      const chosen = size ?? (mayOriginal ? 'original' : 'preview');
      if (chosen === 'original' && !mayOriginal) throw forbidden(refusal);
      const key = chosen === 'original' ? image.storageKey : variantKey(image.storageKey, chosen);
      const etag = fileTag(image.storageKey, chosen);
      const rangeOf = rangeFor && ((size: number) => rangeFor(size, etag));
      const file = await files.open(key, rangeOf).catch(async (error: unknown) => {
        if (chosen === 'original' || storageFailureOf(error) !== 'not-found') throw error;
        // A variant that is missing (an image stored before variants existed, or a lost file) is
        // made again from the original.
        await remakeOnce(image.storageKey);
        return files.open(key, rangeOf);
      });
      return { image, variant: chosen, mimeType: chosen === 'original' ? image.mimeType : 'image/webp', etag, ...file };
    },
  };
}

export type ImageDelivery = ReturnType<typeof createImageDelivery>;
