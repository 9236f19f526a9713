import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes as URL-safe text (43 characters). Shown to the client once, stored only hashed. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type TokenHeader = { token: string } | 'missing' | 'malformed';

/**
 * Reads `Authorization: Token <t>`: the token, 'missing' when the header is absent, 'malformed'
 * when it is there but is not a well-formed token of ours (wrong scheme, wrong length, extra parts).
 */
export function readTokenHeader(header: string | undefined): TokenHeader {
  if (header === undefined) return 'missing';
  if (header.length > 200) return 'malformed';
  const match = /^Token +(\S+)\s*$/i.exec(header);
  if (!match || !TOKEN_SHAPE.test(match[1])) return 'malformed';
  return { token: match[1] };
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}
