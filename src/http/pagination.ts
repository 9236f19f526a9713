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

function encodeIdCursor(id: number): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

export type Page<T> = { items: T[]; next?: string; total?: number };

/** Of `limit + 1` rows in id order, the page and the cursor of the next one (for id-ordered lists). */
export function idPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? encodeIdCursor(items[items.length - 1].id) : undefined };
}

/**
 * Sends a page as a bare JSON array. A next page is announced in `Link: <…>; rel="next"` with every
 * other query parameter unchanged; a total, when asked for, in `X-Total-Count`.
 */
export function sendPage<T, J>(req: Request, res: Response, page: Page<T>, toJson: (item: T) => J): void {
  if (page.next) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query)) {
      if (key === 'cursor') continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') params.append(key, item);
      }
    }
    params.set('cursor', page.next);
    res.set('Link', `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`);
  }
  if (page.total !== undefined) res.set('X-Total-Count', String(page.total));
  res.json(page.items.map(toJson));
}
