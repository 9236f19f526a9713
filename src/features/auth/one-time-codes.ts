import { randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

import { hashToken } from './tokens';

/** RFC 6238 as every authenticator app reads it: SHA-1, six digits, a new code every 30 seconds. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Codes of the step before and after the current one are accepted too (clocks drift, people type slowly). */
const WINDOW = 1;

const totpOf = (secret: string, issuer = '', label = '') =>
  new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });

/** A new secret (160 random bits, base32) and what an authenticator app reads it from: the otpauth:// URI and its QR code (SVG). */
export async function newTotpSecret(issuer: string, username: string) {
  const secret = new Secret({ size: 20 }).base32;
  const uri = totpOf(secret, issuer, username).toString();
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

/**
 * The time step of `code` for `secret` at `now` (the current step, or one either side), or null
 * when it is no code of those steps. Whether that step was used already is the caller's to check.
 */
export function totpStepOf(secret: string, code: string, now: number): number | null {
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return null;
  return Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** True for what is typed as a TOTP code (six digits, spaces allowed); anything else is taken for a recovery code. */
export const looksLikeTotp = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ''));
export const totpDigits = (code: string) => code.replace(/\s/g, '');

/** No 0/o, 1/l/i: recovery codes are read from paper. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** Ten new recovery codes, `xxxx-xxxx-xxxx` (about 59 random bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  });
}

/** What is stored of a recovery code: the SHA-256 of its letters and digits, lower case (dashes and spaces do not matter). */
export const hashRecoveryCode = (code: string) => hashToken(code.toLowerCase().replace(/[^a-z0-9]/g, ''));
