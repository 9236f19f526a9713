import { randomUUID } from 'node:crypto';

import { VARIANT_NAMES, type VariantName } from '../../shared/image-variants';

/** `<32 hex>.<ext>` for an original, `<32 hex>.<variant>.webp` for its variants. */
export const KEY_SHAPE = /^[a-f0-9]{32}(\.thumb|\.preview)?\.[a-z0-9]{2,5}$/;

export function newStorageKey(extension: string): string {
  return `${randomUUID().replaceAll('-', '')}.${extension}`;
}

export function variantKey(originalKey: string, variant: VariantName): string {
  return `${originalKey.slice(0, 32)}.${variant}.webp`;
}

/** Every key an image's files are stored under: the original first. */
export function keysOf(originalKey: string): string[] {
  return [originalKey, ...VARIANT_NAMES.map((variant) => variantKey(originalKey, variant))];
}

/** The 32-hex stem shared by an original and its variants. */
export function keyStem(key: string): string {
  return key.slice(0, 32);
}
