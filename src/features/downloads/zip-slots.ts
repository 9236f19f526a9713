import { AppError } from '../../shared/errors';

/** How long a refused download is asked to wait before it tries again. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Archives being streamed by this process, in all and per caller (a user, or an address for share
 * links): an archive holds a file open and a connection busy for as long as it takes, so their
 * number is capped, beside the request rate limit that every route has. One over a cap is refused
 * with 429 and Retry-After, before anything is read.
 */
export function createZipSlots(limits: { maxConcurrent: number; maxConcurrentPerUser: number }) {
  const byCaller = new Map<string, number>();
  let total = 0;
  return {
    /** Takes a slot for `caller`, or throws 429; the slot goes back with the function returned (once). */
    take(caller: string): () => void {
      const mine = byCaller.get(caller) ?? 0;
      const over =
        total >= limits.maxConcurrent
          ? `${limits.maxConcurrent} zip downloads are being streamed`
          : mine >= limits.maxConcurrentPerUser
            ? `You have ${limits.maxConcurrentPerUser} zip downloads in progress`
            : null;
      if (over) {
        throw new AppError('TOO_MANY_REQUESTS', `${over}: try again when one has finished.`, {
          headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        });
      }
      total += 1;
      byCaller.set(caller, mine + 1);
      let given = false;
      return () => {
        if (given) return;
        given = true;
        total -= 1;
        const left = (byCaller.get(caller) ?? 1) - 1;
        if (left > 0) byCaller.set(caller, left);
        else byCaller.delete(caller);
      };
    },
    /** Archives being streamed now (for tests and metrics). */
    inProgress: () => total,
  };
}

export type ZipSlots = ReturnType<typeof createZipSlots>;
