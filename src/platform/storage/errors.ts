/** What can go wrong with stored files, as the rest of the server needs to tell it apart. */
export type StorageFailure = 'not-found' | 'full' | 'unavailable';

/** A storage's own error: a file that is not there, no room left to store one, or a store that does not answer. */
export class StorageError extends Error {
  constructor(
    readonly failure: StorageFailure,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** The storage failure behind an error: a StorageError, or a full disk or quota from the file system. */
export function storageFailureOf(error: unknown): StorageFailure | null {
  if (error instanceof StorageError) return error.failure;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? 'full' : null;
}
