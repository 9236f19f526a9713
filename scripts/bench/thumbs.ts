// Variants per second: processImage() (header check, EXIF, one decode, preview + thumbnail) against
// bare sharp making the same two WebP outputs straight from the file, on the same JPEGs on disk;
// then the metadata reader alone on a 12 MP camera JPEG, ms per file.
import { availableParallelism } from 'node:os';
import sharp from 'sharp';

import { VARIANTS } from '../../src/shared/image-variants';
import { noiseJpeg, sharedNoiseJpegs, SMALL, writeAll } from './images';
import { pool, printTable, tempDir, verdict } from './util';

export type ThumbOptions = { images: number; rounds: number; target: number };

export async function runThumbnails(options: ThumbOptions): Promise<void> {
  // Imported here: the module (and its EXIF reader) is only needed by this section.
  const { processImage } = await import('../../src/features/images');
  const dir = tempDir('gallery-bench-thumbs-');
  try {
    process.stdout.write(`generating ${options.images} × ${SMALL.label} noise JPEGs... `);
    const paths = await writeAll(dir.path, await sharedNoiseJpegs(SMALL, options.images), 'small');
    console.log('done');
    const concurrency = availableParallelism();

    const impls: [string, (path: string) => Promise<unknown>][] = [
      [
        'reference: bare sharp, 2 pipelines from the file',
        async (path) => {
          // The same sizes and encoder settings as the server's variants, from the original each time.
          const { preview, thumb } = VARIANTS;
          await sharp(path)
            .rotate()
            .resize({ width: preview.maxSide, height: preview.maxSide, fit: 'inside', withoutEnlargement: true })
            .webp({ quality: preview.quality, effort: preview.effort })
            .toBuffer();
          await sharp(path)
            .rotate()
            .resize({ width: thumb.maxSide, height: thumb.maxSide, fit: 'inside', withoutEnlargement: true })
            .webp({ quality: thumb.quality, effort: thumb.effort })
            .toBuffer();
        },
      ],
      [
        'processImage() (header, EXIF, decode once, 2 variants)',
        (path) => processImage(path, 'image/jpeg', 50_000_000),
      ],
    ];
    const seconds = impls.map(() => 0);
    for (const [, run] of impls) await pool(paths, concurrency, run); // warm-up
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which goes first, so neither always runs on a warmer (or hotter) machine.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const start = performance.now();
        await pool(paths, concurrency, impls[i][1]);
        seconds[i] += (performance.now() - start) / 1000;
      }
    }
    const perSecond = seconds.map((s) => (paths.length * options.rounds) / s);
    console.log(
      `\nVariants (preview ${VARIANTS.preview.maxSide} q${VARIANTS.preview.quality} + thumb ${VARIANTS.thumb.maxSide} q${VARIANTS.thumb.quality}, WebP effort ${VARIANTS.preview.effort}): ${paths.length} distinct ${SMALL.label} JPEGs (${SMALL.width}×${SMALL.height}) on disk, concurrency ${concurrency}, ${options.rounds} timed rounds after a warm-up round, sharp.cache(false) for both\n`,
    );
    printTable(
      ['variants', 'images/s', 'ms each', 'ratio'],
      impls.map(([name], i) => [
        name,
        perSecond[i].toFixed(1),
        ((1000 * concurrency) / perSecond[i]).toFixed(0),
        (perSecond[i] / perSecond[0]).toFixed(2),
      ]),
      [58, 10, 10, 7],
    );
    console.log('');
    const ratio = perSecond[1] / perSecond[0];
    console.log(
      verdict(
        ratio >= options.target,
        `processImage(): ${ratio.toFixed(2)} of bare sharp's images per second (target ${options.target})`,
      ),
    );
    await metadataCost(dir.path);
  } finally {
    dir.remove();
  }
}

/** A 12 MP JPEG as a camera writes it: EXIF (IFD0, Exif IFD, GPS), XMP keywords and title. */
async function cameraJpeg12mp(): Promise<Buffer> {
  const pixels = await noiseJpeg({
    label: '12 MP',
    width: 4000,
    height: 3000,
    quality: 90,
    chromaSubsampling: '4:2:0',
  });
  const subject = Array.from({ length: 20 }, (_, i) => `<rdf:li>keyword ${i}</rdf:li>`).join('');
  const xmp = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>${subject}</rdf:Bag></dc:subject><dc:title><rdf:Alt><rdf:li xml:lang="x-default">A title</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`;
  return sharp(pixels)
    .withExif({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
      IFD2: {
        DateTimeOriginal: '2024:05:01 12:34:56',
        OffsetTimeOriginal: '+02:00',
        LensModel: 'RF24-105mm F4 L IS USM',
        FocalLength: '50/1',
        FNumber: '28/10',
        ExposureTime: '1/250',
        ISOSpeedRatings: '400',
      },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
    })
    .withXmp(xmp)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The metadata reader's own cost per file (exif.ts: the first MiB read from disk, exifr's parse), one at a time. */
async function metadataCost(dir: string): Promise<void> {
  const { readMetadata } = await import('../../src/features/images/exif');
  const [path] = await writeAll(dir, [await cameraJpeg12mp()], 'camera');
  const read = await readMetadata(path);
  if (read.cameraModel !== 'Canon EOS R5' || read.keywords.length !== 20)
    throw new Error('the reader missed the metadata');
  const runs = 200;
  for (let i = 0; i < 20; i++) await readMetadata(path); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) await readMetadata(path);
  const each = (performance.now() - start) / runs;
  console.log(
    verdict(each <= 5, `metadata reader: ${each.toFixed(2)} ms per 12 MP JPEG (EXIF + XMP, ${runs} runs; target 5 ms)`),
  );
}
