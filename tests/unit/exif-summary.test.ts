import fc from 'fast-check';
import sharp, { type Exif } from 'sharp';

import { readExif } from '../../src/features/images/exif';

async function exifOf(exif: Exif): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .jpeg()
    .withExif(exif)
    .toBuffer();
  const { exif: block } = await sharp(jpeg).metadata();
  if (!block) throw new Error('sharp wrote no EXIF');
  return block;
}

/** A big-endian TIFF block by hand: IFD0 with Make and Model, nothing else. */
function bigEndianTiff(make: string, model: string): Buffer {
  const strings = Buffer.from(`${make}\0${model}\0`, 'latin1');
  const ifd = Buffer.alloc(2 + 2 * 12 + 4);
  ifd.writeUInt16BE(2, 0);
  const stringsAt = 8 + ifd.length;
  const entry = (i: number, tag: number, length: number, offset: number) => {
    const at = 2 + i * 12;
    ifd.writeUInt16BE(tag, at);
    ifd.writeUInt16BE(2, at + 2);
    ifd.writeUInt32BE(length, at + 4);
    ifd.writeUInt32BE(offset, at + 8);
  };
  entry(0, 0x010f, make.length + 1, stringsAt);
  entry(1, 0x0110, model.length + 1, stringsAt + make.length + 1);
  return Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\0\0\0\x08', 'latin1'), ifd, strings]);
}

describe('readExif', () => {
  it('reads capture time with its offset, camera, and only the presence of a GPS position', async () => {
    const block = await exifOf({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
      IFD2: { DateTimeOriginal: '2024:05:01 12:34:56', OffsetTimeOriginal: '+02:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    });
    expect(readExif(block)).toEqual({
      capturedAt: '2024-05-01T12:34:56+02:00',
      cameraModel: 'Canon EOS R5',
      hasGps: true,
    });
  });

  it('joins make and model unless the model already names the maker', async () => {
    expect(readExif(await exifOf({ IFD0: { Make: 'FUJIFILM', Model: 'X-T4' } })).cameraModel).toBe('FUJIFILM X-T4');
    expect(readExif(await exifOf({ IFD0: { Make: 'Apple' } })).cameraModel).toBe('Apple');
  });

  it('says no GPS when there is none, and nothing at all without EXIF', async () => {
    expect(readExif(await exifOf({ IFD0: { Model: 'X' } })).hasGps).toBe(false);
    expect(readExif(undefined)).toEqual({ capturedAt: null, cameraModel: null, hasGps: false });
    expect(readExif(Buffer.alloc(0))).toEqual({ capturedAt: null, cameraModel: null, hasGps: false });
  });

  it('reads big-endian (Motorola) blocks', () => {
    expect(readExif(bigEndianTiff('NIKON CORPORATION', 'NIKON D850')).cameraModel).toBe('NIKON CORPORATION NIKON D850');
  });

  it('drops a capture time that is not a real time', async () => {
    expect(readExif(await exifOf({ IFD2: { DateTimeOriginal: '0000:00:00 00:00:00' } })).capturedAt).toBeNull();
    expect(readExif(await exifOf({ IFD2: { DateTimeOriginal: '2024:13:01 12:00:00' } })).capturedAt).toBeNull();
    expect(
      readExif(await exifOf({ IFD2: { DateTimeOriginal: '2024:05:01 12:00:00', OffsetTimeOriginal: 'junk' } }))
        .capturedAt,
    ).toBe('2024-05-01T12:00:00');
  });

  it('never throws on hostile input: random bytes, a valid header with garbage, truncations, an IFD that points to itself', async () => {
    const real = await exifOf({
      IFD0: { Make: 'Canon', Model: 'EOS' },
      IFD2: { DateTimeOriginal: '2024:05:01 12:34:56' },
      IFD3: { GPSLatitudeRef: 'N' },
    });
    const shape = (value: ReturnType<typeof readExif>) => {
      expect(Object.keys(value).sort()).toEqual(['cameraModel', 'capturedAt', 'hasGps']);
      expect(value.capturedAt === null || typeof value.capturedAt === 'string').toBe(true);
      expect(value.cameraModel === null || value.cameraModel.length <= 100).toBe(true);
      expect(typeof value.hasGps).toBe('boolean');
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, withHeader) => {
        const input = withHeader
          ? Buffer.concat([Buffer.from('Exif\0\0II\x2a\0\x08\0\0\0', 'latin1'), Buffer.from(bytes)])
          : Buffer.from(bytes);
        shape(readExif(input));
      }),
      { numRuns: 2000 },
    );
    for (let length = 0; length <= real.length; length++) shape(readExif(real.subarray(0, length)));
    // IFD0 at offset 8 with one entry: an Exif IFD pointer back to offset 8.
    const loop = Buffer.from('Exif\0\0II\x2a\0\x08\0\0\0', 'latin1');
    const ifd = Buffer.alloc(2 + 12 + 4);
    ifd.writeUInt16LE(1, 0);
    ifd.writeUInt16LE(0x8769, 2);
    ifd.writeUInt16LE(4, 4);
    ifd.writeUInt32LE(1, 6);
    ifd.writeUInt32LE(8, 10);
    expect(readExif(Buffer.concat([loop, ifd]))).toEqual({ capturedAt: null, cameraModel: null, hasGps: false });
  });
});
