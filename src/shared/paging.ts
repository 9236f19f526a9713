// Lists and paging, as every layer sees them: the sort orders and list parameters, opaque
// cursors (keyset and id-ordered), and one page of results. Sending a page is http/pagination.ts.
import { z } from 'zod';

import { badRequest } from './errors';

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

/** The orders a list can be asked for; `title` sorts case-insensitively (galleries: by name). */
export const LIST_SORTS = ['-created', 'created', 'title', '-title'] as const;
/** Images also sort by the date taken (as the camera wrote it; undated photos last, newest first). */
export const SORTS = [...LIST_SORTS, 'taken', '-taken'] as const;
export type Sort = (typeof SORTS)[number];

/** A yes/no query parameter: true, false, 1 or 0. */
export const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Query parameters every list takes: search, time window, order, paging, optional total. */
export const listQuery = {
  q: z.string().trim().min(1).max(200).optional(),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(LIST_SORTS).default('-created'),
  count: flag.default(false),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z
    .string()
    .max(400)
    .regex(/^[A-Za-z0-9_-]+$/, 'Invalid cursor')
    .optional(),
};

export type ListOptions = {
  q?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  sort: Sort;
  count: boolean;
  limit: number;
  after?: { value: string; id: number };
};

type Position = { s: Sort; v: string; id: number };

/** An opaque cursor: the sort and the last item's sort value and id, base64url-encoded. */
export function encodeCursor(sort: Sort, value: string, id: number): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, id } satisfies Position), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: Sort): { value: string; id: number } {
  let position: Position | null = null;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
  } catch {
    position = null;
  }
  const valid =
    position !== null &&
    typeof position === 'object' &&
    SORTS.includes(position.s) &&
    typeof position.v === 'string' &&
    Number.isSafeInteger(position.id) &&
    position.id > 0 &&
    (!position.s.endsWith('created') || !Number.isNaN(Date.parse(position.v)));
  if (!valid) throw badRequest('cursor: Invalid cursor', [{ path: 'cursor', message: 'Invalid cursor' }]);
  if (position!.s !== sort) {
    throw badRequest('cursor: This cursor belongs to another sort order.', [
      { path: 'cursor', message: 'Sort changed' },
    ]);
  }
  return { value: position!.v, id: position!.id };
}

/** The parsed list parameters as the repositories take them. */
export function listOptions(query: {
  q?: string;
  created_after?: string;
  created_before?: string;
  sort: Sort;
  count: boolean;
  limit: number;
  cursor?: string;
}): ListOptions {
  return {
    q: query.q,
    createdAfter: query.created_after ? new Date(query.created_after) : undefined,
    createdBefore: query.created_before ? new Date(query.created_before) : undefined,
    sort: query.sort,
    count: query.count,
    limit: query.limit,
    after: query.cursor ? decodeCursor(query.cursor, query.sort) : undefined,
  };
}

/** `%term%` for LIKE, with the wildcards a user typed taken literally. */
export function containsPattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
