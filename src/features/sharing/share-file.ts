import type { Request, Response } from 'express';

import { fileVersion, sendImageFile, type ImagesService } from '../images';

type OpenedFile = Awaited<ReturnType<ImagesService['openFileInGallery']>>;

/** A file's cache lifetime through a link: a day at most, and never beyond the link's expiry. */
const MAX_AGE_SECONDS = 24 * 3600;

/**
 * Sends an image file of a link. The versioned URL of the link's JSON may be kept by the visitor's
 * own browser only (`private`), for a day or until the link expires, whichever comes first.
 */
export async function sendSharedFile(
  req: Request,
  res: Response,
  file: OpenedFile,
  expiresAt: Date | null,
  version: string | undefined,
) {
  const untilExpiry = expiresAt ? Math.floor((expiresAt.getTime() - Date.now()) / 1000) : MAX_AGE_SECONDS;
  const maxAge = Math.max(0, Math.min(MAX_AGE_SECONDS, untilExpiry));
  await sendImageFile(req, res, file, {
    'Cache-Control':
      version === fileVersion(file.image.storageKey) && maxAge > 0 ? `private, max-age=${maxAge}` : 'private, no-cache',
  });
}
