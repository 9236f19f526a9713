import type { RequestHandler } from 'express';
import type { ZodType } from 'zod';

import { AppError } from '../shared/errors';
import { toAppError } from './error-handler';

export type InputSchemas = { body?: ZodType; query?: ZodType; params?: ZodType };
export type ParsedInput = { body: unknown; query: unknown; params: unknown };

/** Where in `value` a string holds U+0000, if anywhere: PostgreSQL's text cannot hold it. */
function nulPathOf(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = key.includes('\u0000') ? path : nulPathOf(inner, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/** 400 for a NUL character anywhere in the input: the same refusal on both databases, never a 500. */
function refuseNul(value: unknown) {
  const path = nulPathOf(value, '');
  if (path === null) return;
  const message = 'Control characters are not allowed.';
  throw new AppError('VALIDATION_FAILED', `${path || 'body'}: ${message}`, { details: [{ path, message }] });
}

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
      refuseNul(req[part]);
      const parsed = schema.safeParse(req[part] ?? {});
      if (!parsed.success) throw toAppError(parsed.error) ?? new AppError('VALIDATION_FAILED');
      input[part] = parsed.data;
    }
    res.locals.input = input;
    next();
  };
}
