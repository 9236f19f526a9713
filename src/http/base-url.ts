import type { Request } from 'express';

/**
 * Where the links in a reply start: PUBLIC_URL when it is set, else the scheme and host the
 * request was made to (behind a proxy, with TRUST_PROXY, the scheme it was made with).
 */
export function baseUrlOf(req: Request, publicUrl: string | undefined): string {
  return publicUrl ?? `${req.protocol}://${req.get('host') ?? ''}`;
}
