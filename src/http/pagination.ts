import type { Request, Response } from 'express';

import type { Page } from '../shared/paging';

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
