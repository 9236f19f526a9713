import { z } from 'zod';

const MAX_ID = 2_147_483_647;

/**
 * Decimal digits only: `Number()` (and so `z.coerce.number()`) also reads `0x1`, `1.0`, `1e0`,
 * `+1` and ` 1` as 1, which would make one id many spellings. Ten digits at most: ids are 32-bit.
 */
const DECIMAL_ID = /^[0-9]{1,10}$/;

/**
 * An id: a whole number from 1 to 2^31 - 1, written in decimal digits when it comes as text (a
 * path, a query, a form field), or a JSON integer. `message` says what is wrong, whatever it is.
 */
export const idField = (message: string) =>
  z
    .union([z.int(), z.string().regex(DECIMAL_ID, message)], { error: message })
    .pipe(z.coerce.number<number | string>().int().min(1, message).max(MAX_ID, message));

/** An id in a path or query: a positive integer, as the database's ids are. */
export const idParam = idField('An id is a whole number from 1, in decimal digits.');
