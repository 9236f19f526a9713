import { availableParallelism } from 'node:os';

import { apiClient } from './api';
import {
  galleriesByFolder,
  galleryOption,
  hashAll,
  planImport,
  requireGallery,
  type Plan,
  type Skip,
} from './import-plan';
import { scanLibrary, type LocalImage } from './library';
import { applyManifestTags, type TagResults } from './manifest-tags';
import { bytes, CliError, plural, print } from './output';
import { progressBar } from './progress';
import { sendResumable, speaksTus } from './resumable';
import { sendBatch, type Outcome } from './send';
import { currentCredentials } from './settings';

export type ImportOptions = {
  gallery?: string;
  byFolder?: boolean;
  concurrency?: number;
  dryRun?: boolean;
  json?: boolean;
  retries: number;
  batchFiles: number;
  batchMegabytes: number;
  /** Files larger than this many MB go through a resumable upload, when the server offers them. */
  resumableAbove: number;
};

/**
 * The files of a gallery in requests of at most `files` files and about `maxBytes` bytes; a file
 * larger than `alone` bytes in a request of its own (a resumable upload, when the server has them).
 */
function batchesOf(all: LocalImage[], maxFiles: number, maxBytes: number, alone: number): LocalImage[][] {
  const batches: LocalImage[][] = all.filter((file) => file.size > alone).map((file) => [file]);
  const files = all.filter((file) => file.size <= alone);
  let current: LocalImage[] = [];
  let size = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= maxFiles || size + file.size > maxBytes)) {
      batches.push(current);
      [current, size] = [[], 0];
    }
    current.push(file);
    size += file.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Imports the image files under `dir`: hashed, checked against what the server already has (by
 * SHA-256, per gallery), and the others sent in requests of several files, `concurrency` requests
 * at a time. Resolves with the exit code: 1 when any file failed.
 */
export async function importLibrary(dir: string, options: ImportOptions): Promise<number> {
  if (Boolean(options.gallery) === Boolean(options.byFolder)) {
    throw new CliError('Choose where to: --gallery ID, or --by-folder (a gallery per folder).', 2);
  }
  const { server, token } = currentCredentials();
  const api = apiClient(server, token);
  const concurrency = options.concurrency ?? availableParallelism();
  const quiet = Boolean(options.json);
  const library = await scanLibrary(dir);
  for (const warning of library.warnings) process.stderr.write(`warning: ${warning}\n`);
  await hashAll(library.images, concurrency, quiet);
  let galleryOf: (file: LocalImage) => number | null;
  let created: string[] = [];
  if (options.gallery) {
    const gallery = await requireGallery(api, galleryOption(options.gallery));
    galleryOf = () => gallery;
  } else {
    const byFolder = await galleriesByFolder(api, dir, library.images, Boolean(options.dryRun));
    galleryOf = (file) => byFolder.folders.get(file.folder) ?? null;
    created = byFolder.created;
  }
  const plan = await planImport(api, library.images, galleryOf);
  plan.created = created;
  if (options.dryRun) return reportDryRun(plan, library, quiet);
  const resumable = (await speaksTus(server)) ? { server, token, retries: options.retries } : null;
  const outcomes = await uploadAll(plan, options, concurrency, (gallery, batch, onBytes) =>
    resumable && batch.length === 1 && batch[0].size > options.resumableAbove * 1e6
      ? sendResumable(resumable, gallery, batch[0], onBytes).then((outcome) => [outcome])
      : sendBatch(api, gallery, batch, onBytes, options.retries),
  );
  const tags = await applyManifestTags(api, plan, outcomes, { concurrency, retries: options.retries });
  return report(plan, outcomes, tags, library, quiet);
}

type Send = (gallery: number, batch: LocalImage[], onBytes: (count: number) => void) => Promise<Outcome[]>;

/** Sends every batch, `concurrency` at a time; a request refused as a whole is tried file by file. */
async function uploadAll(plan: Plan, options: ImportOptions, concurrency: number, send: Send): Promise<Outcome[]> {
  const queue: [number, LocalImage[]][] = [];
  for (const [gallery, files] of plan.send) {
    const batches = batchesOf(files, options.batchFiles, options.batchMegabytes * 1e6, options.resumableAbove * 1e6);
    for (const batch of batches) queue.push([gallery!, batch]);
  }
  const all = [...plan.send.values()].flat();
  const bar = progressBar(
    'Uploading',
    all.length,
    all.reduce((sum, file) => sum + file.size, 0),
    Boolean(options.json),
  );
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const [gallery, batch] = queue[next++];
      let results = await send(gallery, batch, (count) => bar.add(0, count));
      if (batch.length > 1 && results.every((result) => result.status === 413 && !result.image)) {
        results = [];
        for (const file of batch) results.push(...(await send(gallery, [file], () => undefined)));
      }
      outcomes.push(...results);
      bar.add(batch.length, 0);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  bar.stop();
  return outcomes;
}

const skipJson = (skip: Skip) => ({
  path: skip.file.path,
  gallery: skip.gallery,
  reason: skip.reason,
  image: skip.image,
});

type Scanned = { ignored: string[]; warnings: string[] };

function reportDryRun(plan: Plan, { ignored, warnings }: Scanned, json: boolean): number {
  const send = [...plan.send.entries()].flatMap(([gallery, files]) => files.map((file) => ({ file, gallery })));
  const size = send.reduce((sum, { file }) => sum + file.size, 0);
  print(
    json,
    {
      dryRun: true,
      upload: send.map(({ file, gallery }) => ({
        path: file.path,
        gallery,
        title: file.title,
        size: file.size,
        ...(file.tags ? { tags: file.tags } : {}),
        ...(file.favorite ? { favorite: true } : {}),
      })),
      skipped: plan.skipped.map(skipJson),
      ignored,
      warnings,
    },
    () => [
      ...send.map(
        ({ file, gallery }) =>
          `would upload ${file.path} → ${gallery === null ? 'a new gallery' : `gallery ${gallery}`}`,
      ),
      `would upload ${send.length} (${bytes(size)}), skip ${plan.skipped.length}; ${plural(ignored.length, 'other file')} ignored`,
    ],
  );
  return 0;
}

function report(plan: Plan, outcomes: Outcome[], tags: TagResults, { ignored, warnings }: Scanned, json: boolean) {
  const uploaded = outcomes.filter((outcome) => outcome.status === 201);
  const already = outcomes.filter((outcome) => outcome.status === 200);
  const failed = outcomes.filter((outcome) => outcome.status !== 201 && outcome.status !== 200);
  const skipped = [
    ...plan.skipped.map(skipJson),
    ...already.map((o) => ({ path: o.file.path, gallery: o.gallery, reason: 'already there', image: o.image })),
  ];
  print(
    json,
    {
      uploaded: uploaded.map((o) => ({
        path: o.file.path,
        gallery: o.gallery,
        image: o.image,
        title: o.file.title,
        size: o.file.size,
        ...(o.resumedAt ? { resumedAt: o.resumedAt } : {}),
      })),
      skipped,
      failed: failed.map((o) => ({ path: o.file.path, status: o.status, message: o.message ?? '' })),
      ignored,
      galleriesCreated: plan.created,
      tagged: tags.tagged,
      tagsFailed: tags.failed,
      warnings,
    },
    () => [
      ...plan.created.map((name) => `created the gallery "${name}"`),
      ...failed.map((o) => `failed: ${o.file.path}: ${o.message ?? `status ${o.status}`}`),
      ...tags.failed.map((f) => `tags not given: ${f.path}: ${f.message}`),
      `uploaded ${uploaded.length}, skipped ${skipped.length}, failed ${failed.length}` +
        (ignored.length > 0 ? `; ${plural(ignored.length, 'other file')} ignored` : ''),
      ...(tags.tagged.length + tags.failed.length > 0
        ? [`tags and stars from the manifest: ${tags.tagged.length} given, ${tags.failed.length} failed`]
        : []),
    ],
  );
  return failed.length > 0 || tags.failed.length > 0 ? 1 : 0;
}
