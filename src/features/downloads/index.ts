// Downloads: a gallery, a selection of images or a share link's gallery as one zip, streamed with
// its exact length, resumable by byte ranges. Needs images (their queries, files and the originals
// rule), galleries, sharing (a link's terms) and audit; none of them needs this feature.
export { downloadRoutes } from './downloads.routes';
export { createDownloadsService, type DownloadsService } from './downloads.service';
