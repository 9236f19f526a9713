import type { Request, Response } from 'express';

import type { Page } from '../shared/paging';

/**
 * `Link: <…>; rel="next"` for the next page of this request's list, with every other query
 * parameter unchanged; no header when there is no next page.
 */
export function nextPageLink(req: Request, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query)) {
    if (key === 'cursor') continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') params.append(key, item);
    }
  }
  params.set('cursor', next);
  return { Link: `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"` };
}

/**
 * Sends a page as a bare JSON array. A next page is announced in `Link` (`nextPageLink`); a total,
 * when asked for, in `X-Total-Count`.
 */
export function sendPage<T, J>(req: Request, res: Response, page: Page<T>, toJson: (item: T) => J): void {
  res.set(nextPageLink(req, page.next));
  if (page.total !== undefined) res.set('X-Total-Count', String(page.total));
  res.json(page.items.map(toJson));
}
