import { basename, resolve } from 'node:path';

import { allPages, must, type Api } from './api';
import { eachLimited, sha256Of, type LocalImage } from './library';
import { CliError } from './output';
import { progressBar } from './progress';

/** A file not sent: the server already has its bytes in that gallery, or another file of this run has. */
export type Skip = { file: LocalImage; gallery: number | null; reason: string; image?: number };
/** What an import will do: the files to send, by gallery (null: a gallery still to create), and those skipped. */
export type Plan = { send: Map<number | null, LocalImage[]>; skipped: Skip[]; created: string[] };

const CHECKED_AT_ONCE = 1000;

/** Hashes every file, `concurrency` at a time, with a bar on a terminal. */
export async function hashAll(images: LocalImage[], concurrency: number, quiet: boolean): Promise<void> {
  const bar = progressBar(
    'Hashing  ',
    images.length,
    images.reduce((sum, file) => sum + file.size, 0),
    quiet,
  );
  await eachLimited(images, concurrency, async (file) => {
    file.sha256 = await sha256Of(file.path);
    bar.add(1, file.size);
  });
  bar.stop();
}

/** The gallery name of a folder: its path under the imported folder, or that folder's own name. */
export function galleryNameOf(root: string, folder: string): string {
  return (folder || basename(resolve(root)) || 'Imported').slice(0, 200);
}

/**
 * The gallery of each folder (--by-folder): one of the caller's own galleries with the folder's
 * name, else a new one (made now, unless `dryRun`: then null). A gallery made by a run that was
 * killed is found by its name the next time, so a folder gets one gallery however often it runs.
 */
export async function galleriesByFolder(api: Api, root: string, images: LocalImage[], dryRun: boolean) {
  const me = must(await api.GET('/api/auth/me'), 'Who am I');
  const own = await allPages(
    (cursor) =>
      api.GET('/api/gallery/galleries', { params: { query: { owner: me.id, limit: 200, cursor, sort: 'created' } } }),
    'Listing your galleries',
  );
  const byName = new Map<string, number>();
  for (const gallery of own) if (!byName.has(gallery.name)) byName.set(gallery.name, gallery.id);
  const folders = new Map<string, number | null>();
  const created: string[] = [];
  for (const folder of new Set(images.map((file) => file.folder))) {
    const name = galleryNameOf(root, folder);
    let id = byName.get(name) ?? null;
    if (id === null && !dryRun) {
      id = must(await api.POST('/api/gallery/galleries', { body: { name } }), `Creating the gallery "${name}"`).id;
      byName.set(name, id);
      created.push(name);
    }
    folders.set(folder, id);
  }
  return { folders, created };
}

/** The gallery, which must exist and be visible to the caller. */
export async function requireGallery(api: Api, id: number): Promise<number> {
  must(await api.GET('/api/gallery/galleries/{id}', { params: { path: { id } } }), `Gallery ${id}`);
  return id;
}

/** Of these hashes, those the server already has in `gallery`, with their image ids. */
async function knownIn(api: Api, gallery: number, hashes: string[]): Promise<Map<string, number>> {
  const known = new Map<string, number>();
  for (let start = 0; start < hashes.length; start += CHECKED_AT_ONCE) {
    const sha256 = hashes.slice(start, start + CHECKED_AT_ONCE);
    const found = must(await api.POST('/api/gallery/images/check', { body: { gallery, sha256 } }), 'Checking hashes');
    for (const hit of found.found) known.set(hit.sha256, hit.image);
  }
  return known;
}

/**
 * Which files to send where: those whose bytes are not yet in their gallery (one batch check by
 * SHA-256 per gallery), each set of bytes once per gallery.
 */
export async function planImport(api: Api, images: LocalImage[], galleryOf: (file: LocalImage) => number | null) {
  const plan: Plan = { send: new Map(), skipped: [], created: [] };
  const byGallery = new Map<number | null, LocalImage[]>();
  for (const file of images) listIn(byGallery, galleryOf(file)).push(file);
  for (const [gallery, files] of byGallery) {
    const known = gallery === null ? new Map<string, number>() : await knownIn(api, gallery, unique(files));
    const first = new Map<string, LocalImage>();
    for (const file of files) {
      const sha256 = file.sha256!;
      const image = known.get(sha256);
      const twin = first.get(sha256);
      if (image !== undefined) plan.skipped.push({ file, gallery, reason: 'already there', image });
      else if (twin) plan.skipped.push({ file, gallery, reason: `the same bytes as ${twin.path}` });
      else {
        first.set(sha256, file);
        listIn(plan.send, gallery).push(file);
      }
    }
  }
  return plan;
}

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

const unique = (files: LocalImage[]) => [...new Set(files.map((file) => file.sha256!))];

/** The gallery id from --gallery. */
export function galleryOption(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) < 1) throw new CliError(`--gallery: not a gallery id: ${value}`, 2);
  return Number(value);
}
