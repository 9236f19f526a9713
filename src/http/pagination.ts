import type { Request, Response } from 'express';
import { z } from 'zod';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** An opaque cursor: base64url of the last item's id. Clients must not build it themselves. */
const cursorSchema = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
    const match = /^id:(\d{1,10})$/.exec(decoded);
    const id = match ? Number(match[1]) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      ctx.addIssue({ code: 'custom', message: 'Invalid cursor' });
      return z.NEVER;
    }
    return id;
  });

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: cursorSchema.optional(),
};

export function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

/**
 * Given `limit + 1` rows, keeps `limit` and, when there were more, announces the next page in a
 * `Link: <…>; rel="next"` header carrying every other query parameter unchanged.
 */
export function sendPage<T extends { id: number }, J>(
  req: Request,
  res: Response,
  rows: T[],
  limit: number,
  toJson: (row: T) => J,
): void {
  const page = rows.slice(0, limit);
  if (rows.length > limit) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query)) {
      if (key === 'cursor' || key === 'limit') continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') params.append(key, item);
      }
    }
    params.set('limit', String(limit));
    params.set('cursor', encodeCursor(page[page.length - 1].id));
    res.set('Link', `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`);
  }
  res.json(page.map(toJson));
}
