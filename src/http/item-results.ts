import type { AppError } from '../shared/errors';
import { toAppError } from './error-handler';

/**
 * For requests about several items (a batch upload, a bulk change, a restore from the trash): each
 * item's outcome is what a request about it alone would have got, its status and, when it failed,
 * its error; one item failing does not stop the others.
 */
export type ItemOutcome<T> = { status: number; value?: T; error?: AppError };

/** Runs `work` for one item: `okStatus` and its value, or the status and error it failed with. */
export async function outcomeOf<T>(work: () => Promise<T>, okStatus = 200): Promise<ItemOutcome<T>> {
  try {
    return { status: okStatus, value: await work() };
  } catch (error) {
    const known = toAppError(error);
    if (!known) throw error;
    return { status: known.status, error: known };
  }
}

/** An item's error as the JSON error body (`errorReply`). */
export const errorJson = (error: AppError) => ({
  message: error.message,
  code: error.code,
  ...(error.details ? { details: error.details } : {}),
});

/** 200 when every item succeeded, 207 (Multi-Status) otherwise. */
export const statusOfAll = (results: { status: number }[]) =>
  results.every((result) => result.status < 300) ? 200 : 207;
