// Uploads: resumable uploads on the tus 1.0 protocol (core, creation, termination, expiration)
// under /api/uploads/, their bytes in the shared store (the disk folder or the S3 bucket), one
// request at a time per upload on any server process (a lease in the database), finished through
// the images pipeline. Needs images (the pipeline, the quota, the reply) and galleries (write access).
export { uploadProtocol, type ProtocolDeps } from './uploads.protocol';
export { uploadRoutes } from './uploads.routes';
export { createUploadSweeper, createUploadsService, type UploadsService } from './uploads.service';
