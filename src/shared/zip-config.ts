import { z } from 'zod';

/** The variables of zip downloads (docs/configuration.md), checked with the rest at start. */
export const ZIP_ENV = {
  ZIP_MAX_IMAGES: z.coerce.number().int().min(1).max(100_000).default(5000),
  ZIP_MAX_CONCURRENT: z.coerce.number().int().min(1).max(10_000).default(32),
  ZIP_MAX_CONCURRENT_PER_USER: z.coerce.number().int().min(1).max(10_000).default(4),
};

export type ZipConfig = {
  /**
   * Zip downloads: most images in one archive (a larger gallery comes in parts), and how many
   * archives this process streams at once, in all and per user (per address for share links).
   */
  zip: { maxImages: number; maxConcurrent: number; maxConcurrentPerUser: number };
};

export function zipConfigOf(e: {
  ZIP_MAX_IMAGES: number;
  ZIP_MAX_CONCURRENT: number;
  ZIP_MAX_CONCURRENT_PER_USER: number;
}): ZipConfig['zip'] {
  return {
    maxImages: e.ZIP_MAX_IMAGES,
    maxConcurrent: e.ZIP_MAX_CONCURRENT,
    maxConcurrentPerUser: e.ZIP_MAX_CONCURRENT_PER_USER,
  };
}
