// Galleries: create, list, change and delete them. A gallery's delete reaches its images through
// the GalleryImages port. Needs audit; images needs this feature (owners, policy), not the reverse.
export { canModifyGallery } from './galleries.policy';
export { deleteGallery, findGalleryOwner, galleriesBeingDeleted } from './galleries.repository';
export { galleryRoutes } from './galleries.routes';
export { createGalleriesService, type GalleriesService, type GalleryImages } from './galleries.service';
