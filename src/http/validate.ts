import type { RequestHandler } from 'express';
import type { ZodType } from 'zod';

import { AppError } from '../shared/errors';
import { toAppError } from './error-handler';

export type InputSchemas = { body?: ZodType; query?: ZodType; params?: ZodType };
export type ParsedInput = { body: unknown; query: unknown; params: unknown };

/**
 * Parses params, query and body with their zod schemas into `res.locals.input`; the request itself
 * is never rewritten. A malformed path parameter means the thing is not there: 404.
 */
export function validate(schemas: InputSchemas): RequestHandler {
  return (req, res, next) => {
    const input: ParsedInput = { body: undefined, query: undefined, params: undefined };
    if (schemas.params) {
      const params = schemas.params.safeParse(req.params);
      if (!params.success) throw new AppError('NOT_FOUND');
      input.params = params.data;
    }
    for (const part of ['query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const parsed = schema.safeParse(req[part] ?? {});
      if (!parsed.success) throw toAppError(parsed.error) ?? new AppError('VALIDATION_FAILED');
      input[part] = parsed.data;
    }
    res.locals.input = input;
    next();
  };
}
