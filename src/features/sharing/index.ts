// Share links: anonymous, read-only ways into one gallery, with an optional expiry, password,
// view limit and permission to download originals. Needs galleries (who may make links), images
// (the gallery's images and files), audit and auth (its failed-attempt throttle); none of them
// needs this feature. Galleries and users end links through ports filled with `endLinksMadeBy`.
export { endLinksMadeBy } from './link-endings';
export { LINK_HEADERS, shareLinkRoutes, visitorOf } from './share-links.routes';
export { createShareLinksService, type ShareLinksService } from './share-links.service';
