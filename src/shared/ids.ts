import { z } from 'zod';

/** An id in a path or query: a positive integer, as the database's ids are. */
export const idParam = z.coerce.number().int().min(1).max(2_147_483_647);
