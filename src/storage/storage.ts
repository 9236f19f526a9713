import type { Readable } from 'node:stream';

/** Where image files live. Keys are server-generated; a client's filename never reaches a path. */
export interface Storage {
  /** Folder for uploads in progress, on the same filesystem as the stored files. */
  readonly tempDir: string;
  /** Moves a finished temp file into place under `key`. */
  putFromTemp(tempPath: string, key: string): Promise<void>;
  /** A read stream and the size of the stored file; throws NOT_FOUND when it is missing. */
  open(key: string): Promise<{ stream: Readable; size: number }>;
  /** Removes a stored file; a file already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Removes a temp file if it is still there. */
  discardTemp(tempPath: string): Promise<void>;
}
