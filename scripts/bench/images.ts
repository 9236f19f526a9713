// Test images for the upload benchmarks: JPEGs of gaussian noise, each one different (libvips seeds
// its noise afresh every time), so that no upload is a duplicate of an earlier one. Noise is the
// worst case for both JPEG decoding and WebP encoding; real photos of the same size are faster.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { pool } from './util';

export type JpegSpec = {
  label: string;
  width: number;
  height: number;
  quality: number;
  chromaSubsampling: '4:2:0' | '4:4:4';
};

/** ≈1 MB: 1.3 MP at quality 95 (4:2:0). */
export const SMALL: JpegSpec = { label: '1 MB', width: 1280, height: 1024, quality: 95, chromaSubsampling: '4:2:0' };
/** ≈20 MB: 8.3 MP at quality 100, no chroma subsampling. */
export const LARGE: JpegSpec = { label: '20 MB', width: 3200, height: 2600, quality: 100, chromaSubsampling: '4:4:4' };
/** ≈100 MB: 41 MP (under the default 50 MP limit) at quality 100, no chroma subsampling. */
export const HUGE: JpegSpec = { label: '100 MB', width: 6400, height: 6400, quality: 100, chromaSubsampling: '4:4:4' };

export async function noiseJpeg(spec: JpegSpec): Promise<Buffer> {
  const bytes = await sharp({
    create: {
      width: spec.width,
      height: spec.height,
      channels: 3,
      background: { r: 128, g: 128, b: 128 },
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: spec.quality, chromaSubsampling: spec.chromaSubsampling })
    .toBuffer();
  const meta = await sharp(bytes).metadata();
  if (meta.format !== 'jpeg' || meta.width !== spec.width || meta.height !== spec.height)
    throw new Error(`not the JPEG asked for: ${JSON.stringify(spec)}`);
  return bytes;
}

/** `count` distinct noise JPEGs (checked distinct by SHA-256), made on every core. */
export async function noiseJpegs(spec: JpegSpec, count: number): Promise<Buffer[]> {
  const images = await pool(Array.from({ length: count }), availableParallelism(), () => noiseJpeg(spec));
  const hashes = new Set(images.map((bytes) => createHash('sha256').update(bytes).digest('hex')));
  if (hashes.size !== images.length) throw new Error('two generated images have the same bytes');
  return images;
}

const pools = new Map<string, Promise<Buffer[]>>();
/**
 * The first `count` images of one growing set per spec: sections asking for the same spec share
 * images (the 1 MB set serves uploads and thumbnails) instead of generating them twice.
 */
export function sharedNoiseJpegs(spec: JpegSpec, count: number): Promise<Buffer[]> {
  const key = JSON.stringify(spec);
  const grown = (pools.get(key) ?? Promise.resolve([] as Buffer[])).then(async (have) =>
    have.length >= count ? have : [...have, ...(await noiseJpegs(spec, count - have.length))],
  );
  pools.set(key, grown);
  return grown.then((all) => all.slice(0, count));
}

export async function writeAll(dir: string, images: Buffer[], prefix: string): Promise<string[]> {
  return Promise.all(
    images.map(async (bytes, i) => {
      const path = join(dir, `${prefix}-${String(i).padStart(3, '0')}.jpg`);
      await writeFile(path, bytes);
      return path;
    }),
  );
}

/**
 * A 12 MP photo-like JPEG (4000×3000, quality 95, 4–6 MB): a sky-to-ground gradient under a fine
 * blurred-noise texture, which compresses like photographic detail does (unlike pure noise).
 */
export async function photoJpeg(): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const texture = await sharp({
    create: { width, height, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .blur(1)
    .raw()
    .toBuffer();
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / height;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = Math.min(255, texture[i] * 0.5 + 60 + 120 * (1 - t));
      pixels[i + 1] = Math.min(255, texture[i + 1] * 0.5 + 80 + 60 * t);
      pixels[i + 2] = Math.min(255, texture[i + 2] * 0.5 + 150 * (1 - t));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}
