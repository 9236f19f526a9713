import type { ImageRow, ImageView } from '../images';

/** What an archive holds of one image: its original file, or its preview (the largest variant). */
export type FileKind = 'original' | 'preview';

/** One image's file in an archive. */
export type ZipItem = {
  /** The image, with its tags when it was read for a signed-in user. */
  image: ImageRow & Partial<ImageView>;
  kind: FileKind;
  /** The storage key of the file sent. */
  key: string;
  size: number;
  mimeType: string;
  /** Its name in the archive. */
  name: string;
};

/** Where the images come from, as the manifest tells it. */
export type ZipSourceInfo =
  | { kind: 'gallery' | 'share-link'; gallery: { id: number; name: string; description: string }; part?: number }
  | { kind: 'selection' };

/**
 * Who the manifest is for: signed-in users see in it what the image's JSON shows them (its
 * gallery, EXIF summary, the original's SHA-256); a share link's visitors what the link's page
 * shows them (the EXIF summary only with the original, as the page gives it only then).
 */
export type Audience = 'user' | 'link';

export type Contents = 'originals' | 'previews' | 'mixed' | 'none';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'gallery-server-zip/1';
/** A SHA-256 not known before the file is read: as long as a real one, so the length holds. */
const UNKNOWN_SHA256 = '0'.repeat(64);

export function contentsOf(items: ZipItem[]): Contents {
  if (items.length === 0) return 'none';
  const previews = items.filter((item) => item.kind === 'preview').length;
  if (previews === 0) return 'originals';
  return previews === items.length ? 'previews' : 'mixed';
}

const PREVIEW_NOTE =
  'A file marked "preview" is the largest variant of its image (WebP, at most 1440 pixels on its longer side, without metadata): the original is shown only to its uploader, the gallery owner and admins, or through a link that shares originals. width and height are those of the original, upright.';

function imageEntry(item: ZipItem, sha256: string, audience: Audience) {
  const { image } = item;
  const user = audience === 'user';
  return {
    file: item.name,
    id: image.id,
    title: image.title,
    description: image.description,
    ...(audience === 'user' ? { gallery: { id: image.galleryId, name: image.gallery.name } } : {}),
    contents: item.kind,
    mimeType: item.mimeType,
    size: item.size,
    sha256,
    ...(user ? { originalSha256: image.sha256 } : {}),
    width: image.width,
    height: image.height,
    ...(user || item.kind === 'original'
      ? {
          exif: {
            capturedAt: image.capturedAt,
            cameraModel: image.cameraModel,
            lensModel: image.lensModel,
            focalLength: image.focalLength,
            fNumber: image.fNumber,
            exposureTime: image.exposureTime,
            iso: image.iso,
            orientation: image.orientation,
            hasGps: image.hasGps,
          },
        }
      : {}),
    ...(user && image.tags ? { tags: image.tags } : {}),
    uploadedAt: image.createdAt,
  };
}

/**
 * The manifest's text. A preview's SHA-256 is known only once it has been read: `sha256Of` gives
 * null until then, and a placeholder of the same length stands in, so the manifest's length (and
 * the archive's) is known before the first byte is sent.
 */
export function manifestText(
  items: ZipItem[],
  source: ZipSourceInfo,
  audience: Audience,
  sha256Of: (index: number) => string | null,
): string {
  const contents = contentsOf(items);
  const manifest = {
    format: MANIFEST_FORMAT,
    source,
    contents,
    ...(contents === 'previews' || contents === 'mixed' ? { note: PREVIEW_NOTE } : {}),
    images: items.map((item, i) =>
      imageEntry(item, item.kind === 'original' ? item.image.sha256 : (sha256Of(i) ?? UNKNOWN_SHA256), audience),
    ),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
