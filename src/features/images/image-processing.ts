import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';

import { timeVariants } from '../../http/metrics';
import { AppError } from '../../shared/errors';
import { NOT_AN_IMAGE, type ImageMimeType } from '../../shared/image-types';
import { VARIANTS, type VariantName } from '../../shared/image-variants';
import { METADATA_VERSION, readMetadata, type EmbeddedText, type ExifSummary } from './exif';
import type { ImageRow } from './image-columns';

// libvips' cache would keep decoded images in memory and deleted temp files open between requests.
sharp.cache(false);

/** What the decode and the EXIF summary tell of a file: columns of its row (image-columns.ts). */
export type ImageFacts = Pick<
  ImageRow,
  'width' | 'height' | 'orientation' | 'thumbhash' | 'metadataVersion' | keyof ExifSummary
>;

/** An image's variants and its ThumbHash, made from one decode. */
type Rendered = {
  /** WebP, upright, every bit of metadata (EXIF, GPS, XMP, ICC comments) left out. */
  variants: Record<VariantName, Buffer>;
  thumbhash: string;
};

/** The facts, the variants, and the words the file carries (IPTC/XMP keywords, title, description: not columns). */
export type ProcessedImage = ImageFacts & Pick<Rendered, 'variants'> & { embedded: EmbeddedText };

/** ThumbHash takes at most 100×100 pixels; more would add nothing to a placeholder of ~25 bytes. */
const THUMBHASH_MAX_SIDE = 100;

const SHARP_FORMATS: Record<ImageMimeType, string[]> = {
  'image/jpeg': ['jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/avif': ['heif', 'avif'],
};

/** At most one decode per core at a time: a burst of uploads queues instead of piling up memory. */
function limiter(slots: number) {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}
const decodeSlot = limiter(availableParallelism());

async function readHeader(path: string, mimeType: ImageMimeType, maxPixels: number) {
  let metadata: Metadata;
  try {
    // Only the header is read: sharp's own pixel limit, which it applies to metadata too (failing
    // as for a file that is no image, 415), is off here; MAX_IMAGE_PIXELS below answers 413.
    metadata = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The file could not be read as an image.');
  }
  if (!metadata.format || !SHARP_FORMATS[mimeType].includes(metadata.format)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', NOT_AN_IMAGE);
  }
  const width = metadata.width ?? null;
  const height = metadata.height ?? null;
  if (width !== null && height !== null && width * height > maxPixels) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The image has ${width}×${height} pixels; at most ${maxPixels} are accepted.`,
    );
  }
  return { metadata, width, height };
}

/**
 * The ThumbHash of decoded pixels: shrunk to ≤ 100×100 RGBA on sharp's threads, then encoded here
 * (about 2 ms on the event loop for 100×100).
 */
async function thumbHashOf(
  pixels: Buffer,
  raw: { raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } },
): Promise<string> {
  const small = await sharp(pixels, raw)
    .resize({ width: THUMBHASH_MAX_SIDE, height: THUMBHASH_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString('base64');
}

/**
 * One decode of the original (a truncated or corrupt file fails here) to upright pixels at preview
 * size; the preview, the thumbnail and the ThumbHash are all made from those pixels.
 */
async function render(input: string | Readable, maxPixels: number): Promise<Rendered> {
  const fit = (name: VariantName) => ({
    width: VARIANTS[name].maxSide,
    height: VARIANTS[name].maxSide,
    fit: 'inside' as const,
    withoutEnlargement: true,
  });
  const encode = (name: VariantName) => ({ quality: VARIANTS[name].quality, effort: VARIANTS[name].effort });
  let pixels: { data: Buffer; info: OutputInfo };
  try {
    const options = { limitInputPixels: maxPixels, failOn: 'warning' as const, sequentialRead: true };
    const decoder = typeof input === 'string' ? sharp(input, options) : input.pipe(sharp(options));
    pixels = await decoder.rotate().resize(fit('preview')).raw().toBuffer({ resolveWithObject: true });
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The image is truncated or corrupt: it could not be decoded.');
  }
  const raw = { raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels } };
  const [preview, thumb, thumbhash] = await Promise.all([
    sharp(pixels.data, raw).webp(encode('preview')).toBuffer(),
    sharp(pixels.data, raw).resize(fit('thumb')).webp(encode('thumb')).toBuffer(),
    thumbHashOf(pixels.data, raw),
  ]);
  return { variants: { thumb, preview }, thumbhash };
}

/**
 * The size an image is shown at: its encoded size turned by its EXIF orientation. Orientations 5
 * to 8 turn it a quarter (width and height swap places), as its upright variants are; 1 to 4 only
 * mirror or turn it half. The same rule turned the sizes stored before (the migration
 * `…_displayed_image_size`).
 */
export function displayedSize(
  width: number | null,
  height: number | null,
  orientation: number | null,
): Pick<ImageFacts, 'width' | 'height'> {
  const quarterTurn = orientation !== null && orientation >= 5 && orientation <= 8;
  return quarterTurn ? { width: height, height: width } : { width, height };
}

/**
 * Everything the server keeps from an uploaded image: the header is checked first (format as
 * sniffed, pixel count within `maxPixels`, so a decompression bomb is refused before anything
 * decodes it), then the whole image is decoded once to make its variants, which proves it is
 * intact. Width and height are the size it is shown at (`displayedSize`), the original's bytes
 * stay as they are. From its metadata (exif.ts): orientation, capture time, camera, lens, exposure,
 * whether there is a GPS position, and the keywords, title and description it carries.
 */
export async function processImage(path: string, mimeType: ImageMimeType, maxPixels: number): Promise<ProcessedImage> {
  const { metadata, width, height } = await readHeader(path, mimeType, maxPixels);
  const { keywords, title, description, orientation: _, ...exif } = await readMetadata(path, metadata);
  // sharp's orientation is the one its rotate() follows, and so the variants.
  const orientation = metadata.orientation ?? null;
  const { variants, thumbhash } = await decodeSlot(() => timeVariants(() => render(path, maxPixels)));
  const embedded = { keywords, title, description };
  const facts = { ...displayedSize(width, height, orientation), orientation, ...exif, thumbhash };
  return { ...facts, metadataVersion: METADATA_VERSION, variants, embedded };
}

/** The ThumbHash of an original on disk (for images stored before it was computed): one shrinking decode, upright. */
export async function thumbHashOfFile(path: string, maxPixels: number): Promise<string> {
  const side = {
    width: THUMBHASH_MAX_SIDE,
    height: THUMBHASH_MAX_SIDE,
    fit: 'inside' as const,
    withoutEnlargement: true,
  };
  const pixels = await decodeSlot(() =>
    sharp(path, { limitInputPixels: maxPixels, sequentialRead: true })
      .rotate()
      .resize(side)
      .raw()
      .toBuffer({ resolveWithObject: true }),
  );
  return thumbHashOf(pixels.data, {
    raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels },
  });
}

/** The variants again from a stored original (for the storage check). */
export async function remakeVariants(original: Readable, maxPixels: number): Promise<Record<VariantName, Buffer>> {
  return (await decodeSlot(() => render(original, maxPixels))).variants;
}
