import { createHash } from 'node:crypto';

import type { Storage } from '../../platform/storage/storage';
import { KEY_SHAPE, keyStem, variantKey } from '../../platform/storage/storage-keys';
import { VARIANT_NAMES } from '../../shared/image-variants';
import { remakeVariants } from './image-processing';
import * as repo from './storage-check.repository';
import type { StorageCheckDeps, StorageCheckOptions, StorageCheckReport } from './storage-check.types';

/*
 * Reconciliation: every image row against the stored files, and every stored file against the
 * rows. Four passes per key prefix, each its own function: rows whose original is missing,
 * originals damaged, variants missing, files no row refers to.
 */

async function sha256Of(storage: Storage, key: string): Promise<string> {
  const hash = createHash('sha256');
  const { stream } = await storage.get(key);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Keys are 32 hex characters and more: the check goes through them by their first two. */
const PREFIXES = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));
/** Sorts after every character a key can hold: `key < prefix + KEY_END` for every key with that prefix. */
const KEY_END = '~';
/** Files looked at (stat, hash) at once: enough to keep the disk's queue busy, not the whole library. */
const AT_ONCE = 32;

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += AT_ONCE) await Promise.all(items.slice(i, i + AT_ONCE).map(work));
}

/** Limits of a reconciliation that runs while the server serves. */
export type ReconcileScope = {
  /** Only rows unchanged since then are looked at: uploads, changes and deletes after it are in flight. */
  changedBefore?: Date;
  /** Stops between prefixes (the server is shutting down). */
  signal?: AbortSignal;
};

/** One prefix's state: the keys stored under it and its live rows. */
type Prefix = { present: Set<string>; rows: repo.LiveRow[]; stems: Set<string> };
type Pass = {
  deps: StorageCheckDeps;
  options: StorageCheckOptions;
  report: StorageCheckReport;
  /** While the server serves: each finding is looked at again, as it may be an upload or delete in flight. */
  serving: boolean;
};

/**
 * Rows against files, a two-character key prefix at a time (one folder of the disk storage, one
 * listing of an object store): what is in memory is bounded by one prefix, whatever the size of
 * the library. A file is stat'ed only for an original (its size against the row). While the
 * server serves (`scope.changedBefore`), each finding is looked at again before it is reported, so
 * that an upload or delete in progress is not taken for a problem.
 */
export async function reconcile(
  deps: StorageCheckDeps,
  options: StorageCheckOptions,
  report: StorageCheckReport,
  scope: ReconcileScope = {},
) {
  const pass: Pass = { deps, options, report, serving: scope.changedBefore !== undefined };
  for (const key of PREFIXES) {
    if (scope.signal?.aborted) return;
    const present = new Set<string>();
    for await (const stored of deps.storage.listKeys(key)) present.add(stored);
    const rows = await repo.liveRowsBetween(deps.db, key, key + KEY_END, scope.changedBefore);
    const prefix: Prefix = { present, rows, stems: new Set(rows.map((row) => keyStem(row.storageKey))) };
    await rowsWithoutFile(pass, prefix);
    const damaged = await damagedOriginals(pass, prefix);
    await missingVariants(pass, prefix, damaged);
    await filesWithoutRow(pass, prefix);
  }
  report.damaged.sort((a, b) => a - b);
  report.rowsWithoutFile.sort((a, b) => a - b);
}

/** While serving, a row is a finding only if it is still live as it was read (not changed or deleted meanwhile). */
const stillLive = (pass: Pass, row: repo.LiveRow) => repo.stillLive(pass.deps.db, row);

/** Rows whose original is not stored (deleted with their files when repairing). */
async function rowsWithoutFile(pass: Pass, { present, rows }: Prefix) {
  const { deps, report } = pass;
  for (const row of rows) {
    if (present.has(row.storageKey)) continue;
    if (pass.serving && ((await deps.storage.stat(row.storageKey)) || !(await stillLive(pass, row)))) continue;
    report.rowsWithoutFile.push(row.id);
    if (pass.options.repair) {
      await deps.files.remove(row.storageKey);
      await repo.deleteRow(deps.db, row.id);
    }
  }
}

/** Stored originals whose size (or, when verifying, SHA-256) differs from the row; their ids. */
async function damagedOriginals(pass: Pass, { present, rows }: Prefix): Promise<Set<number>> {
  const { storage } = pass.deps;
  const damaged = new Set<number>();
  await inBatches(
    rows.filter((row) => present.has(row.storageKey)),
    async (row) => {
      const original = await storage.stat(row.storageKey);
      if (!original) {
        // Listed, then gone: a finding unless it was deleted or replaced meanwhile.
        if (!pass.serving || (await stillLive(pass, row))) damaged.add(row.id);
      } else if (original.size !== row.size) {
        damaged.add(row.id);
      } else if (pass.options.verifyHashes && (await sha256Of(storage, row.storageKey)) !== row.sha256) {
        damaged.add(row.id);
      }
    },
  );
  pass.report.damaged.push(...damaged);
  return damaged;
}

/** Thumbnails and previews made again from a sound original that lacks one of them. */
async function missingVariants(pass: Pass, { present, rows }: Prefix, damaged: Set<number>) {
  const { storage, files, logger } = pass.deps;
  const hasAllVariants = (key: string) => VARIANT_NAMES.every((name) => present.has(variantKey(key, name)));
  for (const row of rows) {
    if (!present.has(row.storageKey) || damaged.has(row.id) || hasAllVariants(row.storageKey)) continue;
    try {
      const { stream } = await storage.get(row.storageKey);
      await files.storeVariants(row.storageKey, await remakeVariants(stream, pass.options.maxImagePixels));
      // Deleted or given a new file meanwhile: those files are going, these go with them.
      if (pass.serving && !(await stillLive(pass, row))) {
        for (const name of VARIANT_NAMES) await storage.delete(variantKey(row.storageKey, name));
        continue;
      }
      pass.report.variantsRebuilt.push(row.storageKey);
    } catch (error) {
      logger.error('could not make variants again', { id: row.id, error: String(error) });
    }
  }
}

/**
 * Stored files no row refers to (removed when repairing). Not those of an upload being staged (on
 * another node, maybe), which its note accounts for; while serving, not a file gone meanwhile nor
 * one whose key a row or a note took meanwhile.
 */
async function filesWithoutRow(pass: Pass, { present, stems }: Prefix) {
  const { db, storage } = pass.deps;
  for (const key of present) {
    const ours = KEY_SHAPE.test(key);
    if (ours && stems.has(keyStem(key))) continue;
    if (ours && (await repo.stemStaged(db, keyStem(key)))) continue;
    if (pass.serving) {
      if (!(await storage.stat(key))) continue;
      if (ours && (await repo.stemAccountedFor(db, keyStem(key)))) continue;
    }
    pass.report.filesWithoutRow.push(key);
    if (pass.options.repair && ours) await storage.delete(key);
  }
}
