import type { Readable } from 'node:stream';

/** Where image files live. Keys are server-generated; a client's filename never reaches a path. */
export interface Storage {
  /** Folder for uploads in progress, on the same filesystem as the stored files. */
  readonly tempDir: string;
  /** Moves a finished temp file into place under `key`. */
  putFromTemp(tempPath: string, key: string): Promise<void>;
  /**
   * The size of the stored file and a stream of it, or of the byte range asked for (ends
   * included); throws NOT_FOUND when it is missing.
   */
  open(key: string, range?: { start: number; end: number }): Promise<{ stream: Readable; size: number }>;
  /** Removes a stored file; a file already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Removes a temp file if it is still there. */
  discardTemp(tempPath: string): Promise<void>;
}
