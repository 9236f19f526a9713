// The trash: what was deleted, listed for those who may restore it, restored, or deleted for good;
// and the purge of what has been there for TRASH_DAYS (run by the storage maintenance). The moves
// into and out of the trash are the galleries' and images' own; this feature lists and combines
// them. Needs galleries and images; none of them needs it.
export { trashRoutes } from './trash.routes';
export { createTrashService, type TrashService } from './trash.service';
