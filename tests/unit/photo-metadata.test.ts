import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { MAX_KEYWORDS, NO_METADATA, readMetadata } from '../../src/features/images/exif';
import { CAMERAS, photo, xmpPacket } from '../helpers/photo-metadata';

const WORDS = {
  xmp: { keywords: ['Strand', 'Sonnenuntergang'], title: 'Abend am Meer', description: 'Wellen <& Himmel>' },
  iptc: { keywords: ['beach', 'Zürich', 'strand'], title: 'IPTC title', description: 'IPTC caption' },
};

describe('readMetadata (exifr)', () => {
  it.each(Object.entries(CAMERAS))('reads every field of a %s-style photo', async (_, camera) => {
    const jpeg = await photo({ exif: camera.exif, orientation: camera.orientation, ...WORDS });
    expect(await readMetadata(jpeg)).toEqual({
      ...camera.read,
      orientation: camera.orientation,
      // IPTC's keywords first, then XMP's; each once, whatever its case.
      keywords: ['beach', 'Zürich', 'strand', 'Sonnenuntergang'],
      // XMP's title and description before IPTC's.
      title: 'Abend am Meer',
      description: 'Wellen <& Himmel>',
    });
  });

  it('reads a file by its path as well as by its bytes', async () => {
    const path = join(tmpdir(), `photo-metadata-${process.pid}.jpg`);
    await writeFile(path, await photo({ exif: CAMERAS.apple.exif, iptc: { keywords: ['one'] } }));
    expect(await readMetadata(path)).toMatchObject({ ...CAMERAS.apple.read, keywords: ['one'] });
    expect(await readMetadata(join(tmpdir(), 'no-such-file.jpg'))).toEqual(NO_METADATA);
  });

  it('takes IPTC title and caption when XMP has none, and XMP alone when there is no IPTC', async () => {
    expect(await readMetadata(await photo({ iptc: WORDS.iptc }))).toMatchObject({
      keywords: ['beach', 'Zürich', 'strand'],
      title: 'IPTC title',
      description: 'IPTC caption',
    });
    expect(await readMetadata(await photo({ xmp: { keywords: ['solo'] } }))).toMatchObject({
      keywords: ['solo'],
      title: null,
      description: null,
    });
  });

  it('falls back to sharp’s blocks for WebP, and for XMP in PNG', async () => {
    const jpeg = await photo({ exif: CAMERAS.canon.exif, xmp: WORDS.xmp });
    for (const format of ['webp', 'png'] as const) {
      const bytes = await sharp(jpeg).keepMetadata().toFormat(format).toBuffer();
      const blocks = await sharp(bytes).metadata();
      expect(await readMetadata(bytes, blocks)).toMatchObject({
        capturedAt: CAMERAS.canon.read.capturedAt,
        lensModel: CAMERAS.canon.read.lensModel,
        keywords: ['Strand', 'Sonnenuntergang'],
        title: 'Abend am Meer',
      });
    }
  });

  it('falls back from DateTimeOriginal to DateTimeDigitized, then to the IFD0 DateTime, each with its own offset', async () => {
    const at = async (exif: Parameters<typeof photo>[0]) => (await readMetadata(await photo(exif))).capturedAt;
    expect(await at({ exif: { IFD2: { DateTimeDigitized: '2023:01:02 03:04:05' } } })).toBe('2023-01-02T03:04:05');
    expect(await at({ exif: { IFD0: { DateTime: '2022:01:02 03:04:05' } } })).toBe('2022-01-02T03:04:05');
    expect(
      await at({
        exif: { IFD0: { DateTime: '2022:01:02 03:04:05' }, IFD2: { DateTimeOriginal: '2024:05:01 12:34:56' } },
      }),
    ).toBe('2024-05-01T12:34:56');
  });

  it('drops times that are not real, offsets that are malformed, and numbers out of range', async () => {
    for (const bad of ['0000:00:00 00:00:00', '2024:13:01 12:00:00', '2023:02:29 12:00:00', '2024:05:01 24:00:00']) {
      expect((await readMetadata(await photo({ exif: { IFD2: { DateTimeOriginal: bad } } }))).capturedAt).toBeNull();
    }
    const junkOffset = await photo({
      exif: { IFD2: { DateTimeOriginal: '2024:05:01 12:00:00', OffsetTimeOriginal: 'junk' } },
    });
    expect((await readMetadata(junkOffset)).capturedAt).toBe('2024-05-01T12:00:00');
    const zero = await photo({ exif: { IFD2: { FNumber: '0/1', FocalLength: '1/0', ExposureTime: '-1/1' } } });
    expect(await readMetadata(zero)).toMatchObject({ fNumber: null, focalLength: null, exposureTime: null });
  });

  it('joins make and model unless the model names the maker, cleans control characters, keeps 100 characters', async () => {
    const camera = async (IFD0: Record<string, string>) =>
      (await readMetadata(await photo({ exif: { IFD0 } }))).cameraModel;
    expect(await camera({ Make: 'FUJIFILM', Model: 'X-T4' })).toBe('FUJIFILM X-T4');
    expect(await camera({ Make: 'Apple' })).toBe('Apple');
    expect(await camera({ Make: 'Ca\x01n\x1bon', Model: 'R5' })).toBe('Canon R5');
    expect(await camera({ Model: 'M'.repeat(150) })).toBe('M'.repeat(100));
  });

  it('reports GPS only for a position, in EXIF or in XMP, and never returns the position', async () => {
    expect((await readMetadata(await photo({ exif: { IFD3: { GPSLatitudeRef: 'N' } } }))).hasGps).toBe(false);
    const withGps = await readMetadata(await photo({ exif: { IFD3: { GPSLongitude: '0/1 7/1 0/1' } } }));
    expect(withGps.hasGps).toBe(true);
    expect(JSON.stringify(withGps)).not.toMatch(/latitude|longitude/i);
    const xmp = xmpPacket({}).replace(
      'xmlns:dc="http://purl.org/dc/elements/1.1/">',
      'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"><exif:GPSLatitude>51,30.0N</exif:GPSLatitude>',
    );
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .withXmp(xmp)
      .toBuffer();
    expect((await readMetadata(jpeg)).hasGps).toBe(true);
  });

  it('cleans the words: control and bidi characters, lengths, a list in one string, at most MAX_KEYWORDS', async () => {
    const many = Array.from({ length: MAX_KEYWORDS + 20 }, (_, i) => `k${i}`);
    const read = await readMetadata(
      await photo({
        xmp: {
          keywords: ['a; b', ' \u202Eevil\u202C ', 'x'.repeat(150), ...many],
          title: `T\u0007i${'t'.repeat(300)}`,
        },
        iptc: { description: 'line one\nline two\u0000' },
      }),
    );
    expect(read.keywords.slice(0, 4)).toEqual(['a', 'b', 'evil', 'x'.repeat(100)]);
    expect(read.keywords).toHaveLength(MAX_KEYWORDS);
    expect(read.title).toHaveLength(200);
    expect(read.title?.startsWith('T it')).toBe(true);
    expect(read.description).toBe('line one\nline two');
  });

  it('has nothing to say of a file without metadata, or of no image at all', async () => {
    expect(await readMetadata(await photo())).toEqual(NO_METADATA);
    expect(await readMetadata(Buffer.alloc(0))).toEqual(NO_METADATA);
    expect(await readMetadata(Buffer.from('not an image at all'))).toEqual(NO_METADATA);
  });
});
