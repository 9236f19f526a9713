// Images: upload (decode check, EXIF summary, variants, de-duplication, crash-safe storage),
// listing, changes, deletes, file serving, and the storage check that keeps rows and files in
// step. Needs galleries (owners and their policy) and audit.
export { createImageFiles, galleryImagesOf, type ImageFiles } from './image-files';
export { processImage } from './image-processing';
export { fileVersion, thumbnailUrl } from './images.mapper';
export { byteRangeOf, sendImageFile } from './image-reply';
export type { ImageRow } from './image-columns';
export type { ImageView } from './image-extras';
export type { FileSize, RangeFor } from './image-delivery';
export { imageRoutes } from './images.routes';
export { imageTagRoutes } from './image-tags.routes';
export { imageBatchRoutes } from './images-batch.routes';
export { createImageBatchService, type ImageBatchService } from './images-batch.service';
export { createImagesService, type ImagesService } from './images.service';
export { requireRoom } from './image-quota';
export { toImageJson } from './images.mapper';
export { canSeeOriginal } from './images.policy';
export { imageReply } from './images.schemas';
export {
  checkStorage,
  reconcileWhileServing,
  recoverStorage,
  STORAGE_CHECK_LEASE,
  sweepStaleUploads,
  type StorageCheckReport,
} from './storage-check.service';
export { backfillMetadata, type BackfillReport } from './metadata-backfill';
