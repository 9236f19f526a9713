import { messageOf, withRetries, type Api } from './api';
import type { Plan } from './import-plan';
import { eachLimited, type LocalImage } from './library';
import type { Outcome } from './send';

/** What a manifest gives one image: its tags (added to those it has) and the importer's star. */
type Wanted = { image: number; paths: string[]; tags: Set<string>; favorite: boolean };

export type TagFailure = { path: string; image: number; status: number; message: string };
export type TagResults = {
  tagged: { path: string; image: number; tags: string[]; favorite: boolean }[];
  failed: TagFailure[];
};

/**
 * The image each file with tags or a star ended as, in its gallery: uploaded now, already there,
 * or the same bytes as another file of this run (the manifest's tags of both go to the one image).
 * A file whose upload failed has no image, and is a failure of the import already.
 */
function wantedImages(plan: Plan, outcomes: Outcome[]): Wanted[] {
  const imageOf = new Map<string, number>();
  const key = (gallery: number | null, file: LocalImage) => `${gallery}:${file.sha256}`;
  for (const o of outcomes)
    if (o.image !== undefined && (o.status === 201 || o.status === 200)) imageOf.set(key(o.gallery, o.file), o.image);
  for (const s of plan.skipped) if (s.image !== undefined) imageOf.set(key(s.gallery, s.file), s.image);
  const wanted = new Map<number, Wanted>();
  const files = [...outcomes.map((o) => ({ file: o.file, gallery: o.gallery })), ...plan.skipped];
  for (const { file, gallery } of files) {
    if (!file.tags && !file.favorite) continue;
    const image = imageOf.get(key(gallery, file));
    if (image === undefined) continue;
    let entry = wanted.get(image);
    if (!entry) wanted.set(image, (entry = { image, paths: [], tags: new Set(), favorite: false }));
    entry.paths.push(file.path);
    for (const tag of file.tags ?? []) entry.tags.add(tag);
    entry.favorite ||= file.favorite === true;
  }
  return [...wanted.values()];
}

/** Adds the tags and the star to one image; the server's refusal (a tag it cannot take, too many tags) as a failure. */
async function give(api: Api, want: Wanted, retries: number): Promise<TagFailure | null> {
  const path = { id: want.image };
  const failure = (result: { error?: unknown; response: Response }) => ({
    path: want.paths.join(', '),
    image: want.image,
    status: result.response.status,
    message: messageOf(result.error, result.response),
  });
  try {
    if (want.tags.size > 0) {
      const body = { tags: [...want.tags] };
      const tagged = await withRetries(
        () => api.POST('/api/gallery/images/{id}/tags', { params: { path }, body }),
        retries,
      );
      if (!tagged.data) return failure(tagged);
    }
    if (want.favorite) {
      const starred = await withRetries(
        () => api.PUT('/api/gallery/images/{id}/favorite', { params: { path } }),
        retries,
      );
      if (!starred.data) return failure(starred);
    }
  } catch (error) {
    return { path: want.paths.join(', '), image: want.image, status: 0, message: (error as Error).message };
  }
  return null;
}

/**
 * Gives each imported image the tags its manifest lists (the server normalises them, and adds
 * them to any the image has) and, where the manifest says so, the importer's star: through the
 * API, `concurrency` images at a time. Adding is idempotent, so a run again gives them again.
 */
export async function applyManifestTags(
  api: Api,
  plan: Plan,
  outcomes: Outcome[],
  options: { concurrency: number; retries: number },
): Promise<TagResults> {
  const results: TagResults = { tagged: [], failed: [] };
  await eachLimited(wantedImages(plan, outcomes), options.concurrency, async (want) => {
    const failed = await give(api, want, options.retries);
    if (failed) results.failed.push(failed);
    else {
      const tags = [...want.tags];
      for (const path of want.paths) results.tagged.push({ path, image: want.image, tags, favorite: want.favorite });
    }
  });
  return results;
}
