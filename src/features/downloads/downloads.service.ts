import type { Readable } from 'node:stream';

import type { Storage } from '../../platform/storage/storage';
import type { Actor } from '../../shared/actor';
import { addressGroup } from '../../shared/address-group';
import type { Config } from '../../shared/config';
import { AppError, badRequest, type ErrorDetail } from '../../shared/errors';
import { listOptions, type ListOptions, type Page } from '../../shared/paging';
import type { AuditEvent, AuditLog } from '../audit';
import type { GalleriesService } from '../galleries';
import { canSeeOriginal, type ImageRow, type ImagesService } from '../images';
import type { ShareLinksService } from '../sharing';
import { streamZip, type ByteRange } from './zip-archive';
import { itemsOf, mapLimited, openItem, type ItemChoice } from './zip-items';
import type { ZipSourceInfo } from './zip-manifest';
import { safeBaseName } from './zip-names';
import { planZip, sourcesOf, type ZipPlan } from './zip-plan';
import { createZipSlots } from './zip-slots';

type Visitor = Parameters<ShareLinksService['admitDownload']>[1];

export type DownloadsDeps = {
  images: Pick<ImagesService, 'get' | 'list' | 'listInGallery' | 'openFile' | 'openFileInGallery'>;
  galleries: Pick<GalleriesService, 'get'>;
  shareLinks: Pick<ShareLinksService, 'admitDownload'>;
  storage: Storage;
  audit: AuditLog;
  config: Pick<Config, 'originalsVisibleTo' | 'zip'>;
};

/**
 * An archive ready to go: its plan (length, entity tag, contents), and `begin`, which takes a
 * streaming slot (429 when none is free), records the download in the audit log and gives the
 * bytes of `range`, with the slot's release for when they have been sent or the client left.
 */
export type Download = {
  plan: ZipPlan;
  begin(range: ByteRange): Promise<{ stream: Readable; release: () => void }>;
};

/** Images listed for an archive: oldest first (a part stays the same as images are added). */
const PAGE = 200;
const pageOptions = (cursor?: string): ListOptions =>
  listOptions({ sort: 'created', count: false, limit: PAGE, cursor });

const SELECTED_AT_ONCE = 8;

const sideOf = (range: ByteRange, length: number) =>
  range.start === 0 && range.end === length - 1 ? 'whole' : `${range.start}-${range.end}`;

/**
 * Zip downloads of a gallery, of a selection of images, and of a share link's gallery. Each image
 * is found through the images feature's own queries, so the visibility condition of every image
 * query applies; each goes in as its original when the caller may fetch that original (the rule
 * of the file route), else as its preview.
 */
export function createDownloadsService({ images, galleries, shareLinks, storage, audit, config }: DownloadsDeps) {
  const slots = createZipSlots(config.zip);
  const { maxImages } = config.zip;

  /**
   * The images of a gallery, part `part`: the oldest ZIP_MAX_IMAGES for part 1, the next for part
   * 2… Without `part`, a gallery of more than one part is refused (400, saying how many there are).
   */
  async function imagesOfGallery(list: (options: ListOptions) => Promise<Page<ImageRow>>, part: number | undefined) {
    // The first page counts the gallery's images: a part that is not there is refused at once.
    let page = await list({ ...pageOptions(), count: true });
    const parts = Math.max(1, Math.ceil((page.total ?? 0) / maxImages));
    if ((part ?? 1) > parts || (part === undefined && parts > 1)) {
      const which =
        parts === 1 ? 'one part: ?part=1' : `${parts} parts of at most ${maxImages} images: ?part=1 to ?part=${parts}`;
      throw badRequest(`part: This gallery comes in ${which}.`, [
        { path: 'part', message: `Choose a part from 1 to ${parts}.` },
      ]);
    }
    const skip = ((part ?? 1) - 1) * maxImages;
    const rows: ImageRow[] = [];
    let seen = 0;
    for (;;) {
      for (const image of page.items) if (seen++ >= skip) rows.push(image);
      if (!page.next || rows.length >= maxImages) return rows.slice(0, maxImages);
      page = await list(pageOptions(page.next));
    }
  }

  function downloadOf(plan: ZipPlan, caller: string, event: Omit<AuditEvent, 'detail'>, note = ''): Download {
    return {
      plan,
      async begin(range) {
        const release = slots.take(caller);
        try {
          const detail = `images=${plan.items.length} contents=${plan.contents} bytes=${plan.length} range=${sideOf(range, plan.length)}${note}`;
          await audit.record({ ...event, detail });
          const stream = streamZip(
            sourcesOf(plan, (item) => openItem(storage, item)),
            plan.length,
            range,
          );
          return { stream, release };
        } catch (error) {
          release();
          throw error;
        }
      },
    };
  }

  const userChoice = (actor: Actor): ItemChoice => ({
    mayOriginal: (image) => canSeeOriginal(actor, image, config.originalsVisibleTo),
    remakePreview: async (image) => {
      const file = await images.openFile(actor, image.id, 'preview');
      file.stream.destroy();
      return file.size;
    },
  });

  const userEvent = (actor: Actor, action: string, target?: AuditEvent['target']) => ({
    action,
    actor,
    target,
    address: actor.address,
  });

  return {
    /** A gallery the actor can see (404 otherwise, as the gallery's own route), or one part of it. */
    async gallery(actor: Actor, galleryId: number, part?: number): Promise<Download> {
      const gallery = await galleries.get(actor, galleryId);
      const rows = await imagesOfGallery((options) => images.list(actor, { galleryId }, options), part);
      const source: ZipSourceInfo = {
        kind: 'gallery',
        gallery: { id: gallery.id, name: gallery.name, description: gallery.description },
        ...(part ? { part } : {}),
      };
      const name = `${safeBaseName(gallery.name, 'gallery')}${part ? ` (part ${part})` : ''}.zip`;
      const plan = planZip(await itemsOf(rows, userChoice(actor), storage), source, 'user', name);
      const event = userEvent(actor, 'gallery.download', { type: 'gallery', id: gallery.id });
      return downloadOf(plan, `user:${actor.id}`, event, part ? ` part=${part}` : '');
    },

    /**
     * Images by id, in the order given. Each is looked up as its own route would (`images.get`):
     * one the actor cannot see, or that does not exist, makes the whole request 404, naming them
     * all, rather than an archive that silently lacks some.
     */
    async selection(actor: Actor, ids: number[]): Promise<Download> {
      const found = await mapLimited(ids, SELECTED_AT_ONCE, (id) =>
        images.get(actor, id).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
          throw error;
        }),
      );
      const missing: ErrorDetail[] = ids.flatMap((id, i) =>
        found[i] ? [] : [{ path: `ids[${i}]`, message: `Image ${id} not found` }],
      );
      if (missing.length > 0) {
        throw new AppError(
          'NOT_FOUND',
          `Image${missing.length === 1 ? '' : 's'} not found: ${missing.map((m) => m.message.split(' ')[1]).join(', ')}`,
          {
            details: missing,
          },
        );
      }
      const rows = found as ImageRow[];
      const plan = planZip(
        await itemsOf(rows, userChoice(actor), storage),
        { kind: 'selection' },
        'user',
        'images.zip',
      );
      return downloadOf(plan, `user:${actor.id}`, userEvent(actor, 'images.download'), ` ids=${ids.join(',')}`);
    },

    /** A share link's gallery, on the terms of its files: originals only when the link gives them. */
    async shareLink(key: string, visitor: Visitor, part?: number): Promise<Download> {
      const { link, gallery } = await shareLinks.admitDownload(key, visitor);
      const rows = await imagesOfGallery((options) => images.listInGallery(link.galleryId, options), part);
      const choice: ItemChoice = {
        mayOriginal: () => link.allowOriginals,
        remakePreview: async (image) => {
          const file = await images.openFileInGallery(link.galleryId, image.id, 'preview', link.allowOriginals);
          file.stream.destroy();
          return file.size;
        },
      };
      const source: ZipSourceInfo = {
        kind: 'share-link',
        gallery: { id: gallery.id, name: gallery.name, description: gallery.description },
        ...(part ? { part } : {}),
      };
      const name = `${safeBaseName(gallery.name, 'gallery')}${part ? ` (part ${part})` : ''}.zip`;
      const plan = planZip(await itemsOf(rows, choice, storage), source, 'link', name);
      const event = {
        action: 'gallery.link.download',
        target: { type: 'gallery', id: gallery.id },
        address: visitor.address,
      };
      return downloadOf(
        plan,
        `address:${addressGroup(visitor.address)}`,
        event,
        ` link=${link.id}${part ? ` part=${part}` : ''}`,
      );
    },

    /** Archives being streamed by this process now. */
    inProgress: () => slots.inProgress(),
  };
}

export type DownloadsService = ReturnType<typeof createDownloadsService>;
