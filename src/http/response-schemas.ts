import { z } from 'zod';

import { ERROR_TABLE } from '../shared/errors';

/** Shapes shared by many replies. Each feature's own reply shapes live in its schemas file. */
export const id = z.number().int().positive();
export const timestamp = z.iso.datetime();
export const userRef = z.strictObject({ id, username: z.string() });

export const messageOnly = z.strictObject({ message: z.string() });

export const errorReply = z.strictObject({
  message: z.string(),
  code: z.enum(Object.keys(ERROR_TABLE) as [keyof typeof ERROR_TABLE, ...(keyof typeof ERROR_TABLE)[]]),
  details: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});

/** `{ message, ...item }`, the reply to a create or an update. */
export function withMessage<Shape extends z.ZodRawShape, Config extends z.core.$ZodObjectConfig>(
  schema: z.ZodObject<Shape, Config>,
) {
  return schema.extend({ message: z.string() });
}
