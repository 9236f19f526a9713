// `npm run bench` section `ingest`: `gallery import` (the command-line client, its own process) of
// script-generated photo-like JPEGs (about 3 MP, each its own bytes) into dist/server.js (its own
// process) at a concurrency of the number of cores, against a bare sharp script doing the same
// decode check and variants on the same files in one process at the same concurrency: images per
// second, and their ratio; on SQLite and PostgreSQL. Then the same import with every file through
// tus (target: at most 1.10× the time of multipart), and a 25 MB upload cut at half by kill -9 of
// the client and run again (target: at most 55 % of its bytes sent again).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { VARIANTS } from '../../src/shared/image-variants';
import { importServer, spawnImport } from './gallery-cli';
import { resumeAfterKill } from './ingest-resume';
import { postgresDatabase } from './reads';
import { pool, printTable, tempDir, verdict } from './util';

export type IngestOptions = { images: number; databases: ('sqlite' | 'postgres')[]; target: number };

const WIDTH = 2048;
const HEIGHT = 1536;

/** A photo-like base: a sky-to-ground gradient under a blurred-noise texture (compresses like a photo). */
async function photoBase(seedValue: number): Promise<Buffer> {
  const texture = await sharp({
    create: {
      width: WIDTH,
      height: HEIGHT,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .blur(1.2)
    .raw()
    .toBuffer();
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  const tint = (seedValue * 47) % 80;
  for (let y = 0; y < HEIGHT; y++) {
    const t = y / HEIGHT;
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      pixels[i] = Math.min(255, texture[i] * 0.5 + 40 + tint + 120 * (1 - t));
      pixels[i + 1] = Math.min(255, texture[i + 1] * 0.5 + 80 + 60 * t);
      pixels[i + 2] = Math.min(255, texture[i + 2] * 0.5 + 150 * (1 - t));
    }
  }
  return pixels;
}

/** `count` distinct photo-like JPEGs (about 3 MP, quality 90) in `dir`: a few bases, each image its own tone. */
async function photoLibrary(dir: string, count: number): Promise<{ paths: string[]; bytes: number }> {
  const bases = await Promise.all(Array.from({ length: 6 }, (_, n) => photoBase(n)));
  const hashes = new Set<string>();
  let bytes = 0;
  const paths = await pool(Array.from({ length: count }), availableParallelism(), async (_, i) => {
    const jpeg = await sharp(bases[i % bases.length], { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .modulate({ brightness: 0.85 + (i % 61) / 200, hue: (i * 7) % 360 })
      .jpeg({ quality: 90 })
      .toBuffer();
    hashes.add(createHash('sha256').update(jpeg).digest('hex'));
    bytes += jpeg.length;
    const path = join(dir, `album-${i % 10}`, `photo-${String(i).padStart(4, '0')}.jpg`);
    await writeFile(path, jpeg);
    return path;
  });
  if (hashes.size !== count) throw new Error('two generated photos have the same bytes');
  return { paths, bytes };
}

const fit = (side: number) => ({ width: side, height: side, fit: 'inside' as const, withoutEnlargement: true });

/**
 * The reference, in this process: what the server does to an upload's pixels, bare. Read and hash
 * the file, read its header, decode it whole (a damaged file fails here) upright to preview size,
 * then the preview and the thumbnail (WebP, the server's settings) from those pixels.
 */
async function bareSharp(paths: string[], concurrency: number): Promise<number> {
  const start = performance.now();
  await pool(paths, concurrency, async (path) => {
    const bytes = await readFile(path);
    createHash('sha256').update(bytes).digest('hex');
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error(`no size: ${path}`);
    const { preview, thumb } = VARIANTS;
    const pixels = await sharp(bytes, { failOn: 'warning' })
      .rotate()
      .resize(fit(preview.maxSide))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: pixels.info.width, height: pixels.info.height, channels: pixels.info.channels } };
    await Promise.all([
      sharp(pixels.data, raw).webp({ quality: preview.quality, effort: preview.effort }).toBuffer(),
      sharp(pixels.data, raw)
        .resize(fit(thumb.maxSide))
        .webp({ quality: thumb.quality, effort: thumb.effort })
        .toBuffer(),
    ]);
  });
  return (performance.now() - start) / 1000;
}

/**
 * `gallery import` of `dir` into a fresh server on `databaseUrl` (`extra`: more options, such as
 * `--resumable-above 0` to send every file through tus); the seconds it took, start to exit.
 */
async function galleryImport(
  dir: string,
  databaseUrl: string,
  uploadDir: string,
  concurrency: number,
  count: number,
  extra: string[] = [],
) {
  const { server, token } = await importServer(databaseUrl, uploadDir);
  try {
    const start = performance.now();
    const child = spawnImport(server, token, dir, ['--concurrency', String(concurrency), ...extra]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('close', done));
    const seconds = (performance.now() - start) / 1000;
    const report = JSON.parse(stdout) as { uploaded: unknown[]; failed: unknown[] };
    if (code !== 0 || report.uploaded.length !== count)
      throw new Error(
        `gallery import: exit ${code}, ${report.uploaded.length} uploaded, failed: ${JSON.stringify(report.failed).slice(0, 500)}`,
      );
    return seconds;
  } finally {
    await server.stop();
  }
}

export async function runIngest(options: IngestOptions): Promise<void> {
  sharp.cache(false); // as the server runs it: no decoded image kept from one pipeline to the next
  const concurrency = availableParallelism();
  const dir = tempDir('gallery-bench-ingest-');
  try {
    const { mkdirSync } = await import('node:fs');
    for (let n = 0; n < 10; n++) mkdirSync(join(dir.path, 'library', `album-${n}`), { recursive: true });
    process.stdout.write(`generating ${options.images} photo-like JPEGs (${WIDTH}×${HEIGHT})... `);
    const { paths, bytes } = await photoLibrary(join(dir.path, 'library'), options.images);
    console.log(`done, ${(bytes / options.images / 1e6).toFixed(2)} MB each on average`);
    await bareSharp(paths.slice(0, Math.min(20, paths.length)), concurrency); // warm-up
    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const kind of options.databases) {
      const reference = options.images / (await bareSharp(paths, concurrency));
      const database =
        kind === 'sqlite'
          ? { url: `file:${join(dir.path, `${kind}.db`)}`, drop: () => Promise.resolve() }
          : await postgresDatabase();
      try {
        const seconds = await galleryImport(
          join(dir.path, 'library'),
          database.url,
          join(dir.path, `uploads-${kind}`),
          concurrency,
          options.images,
        );
        const imported = options.images / seconds;
        const ratio = imported / reference;
        rows.push([`${kind}: bare sharp, one process`, reference.toFixed(2), '1.00']);
        rows.push([`${kind}: gallery import → dist/server.js`, imported.toFixed(2), ratio.toFixed(2)]);
        // The same import with every file through tus, into a second fresh database.
        const again =
          kind === 'sqlite'
            ? { url: `file:${join(dir.path, 'tus.db')}`, drop: () => Promise.resolve() }
            : await postgresDatabase();
        try {
          const tus = await galleryImport(
            join(dir.path, 'library'),
            again.url,
            join(dir.path, `uploads-tus-${kind}`),
            concurrency,
            options.images,
            ['--resumable-above', '0'],
          );
          rows.push([
            `${kind}: gallery import, every file through tus`,
            (options.images / tus).toFixed(2),
            (options.images / tus / reference).toFixed(2),
          ]);
          verdicts.push(
            verdict(
              tus / seconds <= 1.1,
              `${kind}: through tus in ${(tus / seconds).toFixed(2)}× the time of multipart (target ≤ 1.10)`,
            ),
          );
        } finally {
          await again.drop();
        }
        verdicts.push(
          verdict(
            ratio >= options.target,
            `${kind}: gallery import at ${ratio.toFixed(2)} of bare sharp's images per second (target ${options.target})`,
          ),
        );
      } finally {
        await database.drop();
      }
    }
    console.log(
      `\nIngest: ${options.images} distinct photo-like JPEGs, concurrency ${concurrency} (the cores), the import timed from the CLI's start to its exit (scan, hash, check, upload)\n`,
    );
    printTable(['run', 'images/s', 'ratio'], rows, [52, 10, 7]);
    console.log('');
    const resumed = await resumeAfterKill(join(dir.path, 'resume'));
    console.log(
      `\nResume: a ${(resumed.total / 1e6).toFixed(1)} MB upload through tus, the client killed (kill -9) at ${(resumed.cutAt * 100).toFixed(0)} %, then run again: it sent ${(resumed.sentAgain * 100).toFixed(1)} % of the bytes again\n`,
    );
    verdicts.push(
      verdict(
        resumed.sentAgain <= 0.55,
        `resume: ${(resumed.sentAgain * 100).toFixed(1)} % of the bytes sent again (target ≤ 55 %)`,
      ),
    );
    for (const line of verdicts) console.log(line);
  } finally {
    dir.remove();
  }
}
