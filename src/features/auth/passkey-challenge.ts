/** A WebAuthn challenge is good this long (and the browser is asked to give up then too). */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * Who the browser is talking to: the RP ID (a host name, no port: PUBLIC_URL's, else the
 * request's) and the origin its answers must come from (the server's own).
 */
export type RelyingParty = { rpID: string; origin: string };

/** The challenge a WebAuthn answer signed, read from its clientDataJSON (null when there is none). */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' && data.challenge.length <= 200 ? data.challenge : null;
  } catch {
    return null;
  }
}
