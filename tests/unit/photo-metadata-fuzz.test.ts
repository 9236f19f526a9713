import fc from 'fast-check';

import { MAX_BYTES, readMetadata, type PhotoMetadata } from '../../src/features/images/exif';
import { CAMERAS, iptcSegment, photo, withSegment } from '../helpers/photo-metadata';

/** What any answer must look like, whatever the input. */
function shape(value: PhotoMetadata) {
  expect(Object.keys(value).sort()).toEqual(
    [
      'cameraModel',
      'capturedAt',
      'description',
      'exposureTime',
      'fNumber',
      'focalLength',
      'hasGps',
      'iso',
      'keywords',
      'lensModel',
      'orientation',
      'title',
    ].sort(),
  );
  expect(value.capturedAt === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d)?$/.test(value.capturedAt)).toBe(
    true,
  );
  expect(value.cameraModel === null || value.cameraModel.length <= 100).toBe(true);
  expect(value.lensModel === null || value.lensModel.length <= 100).toBe(true);
  for (const n of [value.focalLength, value.fNumber, value.exposureTime, value.iso]) {
    expect(n === null || (Number.isFinite(n) && n > 0)).toBe(true);
  }
  expect(value.orientation === null || (value.orientation >= 1 && value.orientation <= 8)).toBe(true);
  expect(typeof value.hasGps).toBe('boolean');
  expect(Array.isArray(value.keywords) && value.keywords.every((k) => typeof k === 'string' && k.length <= 100)).toBe(
    true,
  );
  expect(value.title === null || value.title.length <= 200).toBe(true);
}

const SOI = Buffer.from([0xff, 0xd8]);
const TIFF_HEADER = Buffer.from('Exif\0\0II\x2a\0\x08\0\0\0', 'latin1');

describe('readMetadata on damaged and hostile input', () => {
  it('never throws nor hangs: random bytes, JPEG and TIFF headers with garbage, every truncation of a real photo', async () => {
    const real = await photo({
      exif: CAMERAS.canon.exif,
      xmp: { keywords: ['a', 'b'], title: 'T', description: 'D' },
      iptc: { keywords: ['c'] },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom('none', 'jpeg', 'app1', 'tiff'),
        async (bytes, head) => {
          const garbage = Buffer.from(bytes);
          const input =
            head === 'jpeg'
              ? Buffer.concat([SOI, garbage])
              : head === 'app1'
                ? Buffer.concat([SOI, Buffer.from([0xff, 0xe1, 0x02, 0x60]), TIFF_HEADER, garbage])
                : head === 'tiff'
                  ? Buffer.concat([TIFF_HEADER.subarray(6), garbage])
                  : garbage;
          shape(await readMetadata(input));
        },
      ),
      { numRuns: 1500 },
    );
    for (let length = 0; length <= real.length; length += 7) shape(await readMetadata(real.subarray(0, length)));
    // A photo with random bytes flipped in its metadata.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(900), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        async (flips) => {
          const damaged = Buffer.from(real);
          for (const [at, value] of flips) damaged[at % damaged.length] = value;
          shape(await readMetadata(damaged, { exif: damaged.subarray(20, 400), xmp: damaged.subarray(0, 300) }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not loop on an IFD that points to itself', async () => {
    const ifd = Buffer.alloc(2 + 12 + 4);
    ifd.writeUInt16LE(1, 0);
    ifd.writeUInt16LE(0x8769, 2);
    ifd.writeUInt16LE(4, 4);
    ifd.writeUInt32LE(1, 6);
    ifd.writeUInt32LE(8, 10);
    const tiff = Buffer.concat([TIFF_HEADER.subarray(6), ifd]);
    const started = Date.now();
    shape(await readMetadata(tiff));
    shape(await readMetadata(Buffer.alloc(0), { exif: Buffer.concat([TIFF_HEADER.subarray(0, 6), tiff]) }));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads nothing past the first MiB, and survives a huge IPTC segment and a flood of keywords', async () => {
    const small = await photo({ exif: CAMERAS.nikon.exif });
    // The metadata pushed past MAX_BYTES by a comment segment chain before it.
    const filler = Buffer.alloc(65533, 0x20);
    const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0xff, 0xff]), filler]);
    const far = Buffer.concat([
      SOI,
      ...Array.from({ length: Math.ceil(MAX_BYTES / comment.length) }, () => comment),
      small.subarray(2),
    ]);
    expect((await readMetadata(far)).cameraModel).toBeNull();
    const near = Buffer.concat([SOI, comment, comment, small.subarray(2)]);
    expect((await readMetadata(near)).cameraModel).toBe(CAMERAS.nikon.read.cameraModel);
    const flood = Array.from({ length: 5000 }, (_, i) => `word${i}`);
    const started = Date.now();
    const read = await readMetadata(withSegment(small, iptcSegment({ keywords: flood.slice(0, 4000) })));
    expect(read.keywords).toHaveLength(100);
    expect(read.cameraModel).toBe(CAMERAS.nikon.read.cameraModel);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers 200 at once (in parallel) for as many damaged files', async () => {
    const real = await photo({ exif: CAMERAS.apple.exif });
    const inputs = Array.from({ length: 200 }, (_, i) => real.subarray(0, (i * 37) % real.length));
    const answers = await Promise.all(inputs.map((input) => readMetadata(input)));
    answers.forEach(shape);
  });
});
