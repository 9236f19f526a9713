import type { Request } from 'express';

import type { Page } from '../shared/paging';
import { jsonReply, JsonText, type JsonReply, type ReplyHeaders } from './reply';

/**
 * `Link: <…>; rel="next"` for the next page of this request's list, with every other query
 * parameter unchanged; no header when there is no next page.
 */
export function nextPageLink(req: Request, next: string | undefined): ReplyHeaders {
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
 * A page as a bare JSON array. A next page is announced in `Link` (`nextPageLink`); a total, when
 * asked for, in `X-Total-Count`.
 */
export function pageReply<T, J>(req: Request, page: Page<T>, toJson: (item: T) => J): JsonReply<200, J[]> {
  const headers = nextPageLink(req, page.next);
  if (page.total !== undefined) headers['X-Total-Count'] = String(page.total);
  return jsonReply(200, page.items.map(toJson), headers);
}

/**
 * The same reply for a page whose items are JSON text already (written by the database): joined
 * into the array's text, not parsed or serialised again. Each item must be the JSON of a `J`
 * (the reply check of the tests reads the page back against the route's schema).
 */
export function pageTextReply<J>(req: Request, page: Page<string>): JsonReply<200, J[]> {
  const headers = nextPageLink(req, page.next);
  if (page.total !== undefined) headers['X-Total-Count'] = String(page.total);
  return jsonReply(200, new JsonText(`[${page.items.join(',')}]`) as unknown as J[], headers);
}
