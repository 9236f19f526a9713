import type { Readable } from 'node:stream';

/** A stored file as the storage sees it (`etag`: the object store's, when it has one). */
export type StoredFile = { key: string; size: number; modifiedAt: Date; etag?: string };

/** A file in the temp area: an upload in progress (or left by a crash), or a staged file. */
export type TempFile = { path: string; name: string; modifiedAt: Date };

/**
 * Where image files live. Keys are server-generated (`storage-keys.ts`); a client's filename never
 * reaches a path. A file goes temp → staged (`stagingPath(key)`, durable) → stored (`put`), so a
 * crash between the database commit and `put` can be rolled forward from the staged copy.
 */
export interface Storage {
  /** Folder for uploads in progress (on disk: on the same filesystem as the stored files). */
  readonly tempDir: string;
  /**
   * Staging writes the file where it will stay (an object store, which cannot rename): `put` is
   * then not needed after staging, and a staged file is visible at once under its key — callers
   * note the key before staging, so that the files of an upload that never committed are found.
   */
  readonly stagesInPlace: boolean;
  /** Where the file for `key` waits between being written and being stored. */
  stagingPath(key: string): string;
  /** Moves a finished temp file to the staging place of `key`; durable once it resolves. */
  stageFile(key: string, fromPath: string): Promise<void>;
  /** Writes bytes as the staged file of `key`; durable once it resolves. */
  stageBytes(key: string, bytes: Buffer): Promise<void>;
  /** Removes what `stageFile`/`stageBytes` wrote for `key`, if it is still there. */
  discardStaged(key: string): Promise<void>;
  /** Moves a staged (or any finished temp) file into place under `key`; durable once it resolves. */
  put(key: string, fromPath: string): Promise<void>;
  /**
   * The size of the stored file and a stream of it, or of the byte range asked for (ends
   * included); throws NOT_FOUND when it is missing. `rangeFor` picks the range from the size.
   */
  get(
    key: string,
    rangeFor?: (size: number) => { start: number; end: number } | undefined,
  ): Promise<{ stream: Readable; size: number; range?: { start: number; end: number } }>;
  /**
   * Where the file of `key` may be on this machine, the stored place first, then the staged one
   * (a committed upload being moved into place): the backup hard-links from there. Disk only.
   */
  localPaths?(key: string): string[];
  /** Size and time of a stored file, or null when there is none. */
  stat(key: string): Promise<StoredFile | null>;
  /** Removes a stored file; a file already gone is not an error. */
  delete(key: string): Promise<void>;
  /** The keys of the stored files that start with `prefix` (at least two characters). */
  listKeys(prefix: string): AsyncIterable<string>;
  /** Every file in the temp area. */
  listTemp(): Promise<TempFile[]>;
  /** Removes a temp or staged file if it is still there. */
  discardTemp(path: string): Promise<void>;
  /** Resolves when the storage can be read and written now (a cheap probe, for readiness); throws otherwise. */
  check(): Promise<void>;
  /** Releases connections (object storage); nothing to do on disk. */
  close?(): void;
}
