// Galleries: create, list, change and delete them; who sees them (visibility, members) and who may
// change their images (owner, editors, admins). A gallery's delete reaches its images through the
// GalleryImages port, a transfer the former owner's share links through GalleryLinks. Needs audit;
// images and sharing need this feature, not the reverse.
export {
  LIVE,
  liveSql,
  MEMBER_ROLES,
  VISIBILITIES,
  viewerOf,
  visibleGalleries,
  withVisibility,
  writableGalleryWhere,
  type MemberRole,
  type Viewer,
  type Visibility,
} from './galleries.access';
export { canModifyGallery, canWriteToGallery } from './galleries.policy';
export { finishBegunGalleryDeletes } from './gallery-deletes';
export { deleteReply, deleteReplyOf } from './galleries.schemas';
export {
  NOT_IN_TRASH,
  purgeAtOf,
  purgeDueBefore,
  trashEvent,
  type DeleteOutcome,
  type GalleryTrash,
  type Purger,
} from './gallery-trash';
export { galleryRoutes } from './galleries.routes';
export {
  createGalleriesService,
  type GalleriesService,
  type GalleryImages,
  type GalleryLinks,
} from './galleries.service';
export { memberRoutes } from './members.routes';
