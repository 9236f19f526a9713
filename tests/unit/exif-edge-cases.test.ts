import sharp, { type Exif } from 'sharp';

import { readExif } from '../../src/features/images/exif';

const NOTHING = { capturedAt: null, cameraModel: null, hasGps: false };

async function exifOf(exif: Exif): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .jpeg()
    .withExif(exif)
    .toBuffer();
  const { exif: block } = await sharp(jpeg).metadata();
  if (!block) throw new Error('sharp wrote no EXIF');
  return block;
}

type Field = { tag: number; type: number; count: number; value: number | Buffer };
const ascii = (tag: number, text: string): Field => ({
  tag,
  type: 2,
  count: text.length + 1,
  value: Buffer.from(`${text}\0`, 'latin1'),
});
const pointer = (tag: number, offset: number): Field => ({ tag, type: 4, count: 1, value: offset });

/** A little-endian `Exif\0\0` block with one IFD0 at offset 8; values over 4 bytes go after the IFD, `gap` zero bytes further on. */
function block(fields: Field[], gap = 0): Buffer {
  const ifd = Buffer.alloc(2 + fields.length * 12 + 4);
  ifd.writeUInt16LE(fields.length, 0);
  const data: Buffer[] = [];
  let dataAt = 8 + ifd.length + gap;
  fields.forEach((field, i) => {
    const at = 2 + i * 12;
    ifd.writeUInt16LE(field.tag, at);
    ifd.writeUInt16LE(field.type, at + 2);
    ifd.writeUInt32LE(field.count, at + 4);
    if (typeof field.value === 'number') ifd.writeUInt32LE(field.value, at + 8);
    else if (field.value.length <= 4) field.value.copy(ifd, at + 8);
    else {
      ifd.writeUInt32LE(dataAt, at + 8);
      data.push(field.value);
      dataAt += field.value.length;
    }
  });
  return Buffer.concat([Buffer.from('Exif\0\0II\x2a\0\x08\0\0\0', 'latin1'), ifd, Buffer.alloc(gap), ...data]);
}

describe('readExif, beyond the common cases', () => {
  it('falls back from DateTimeOriginal to DateTimeDigitized, then to the IFD0 DateTime', async () => {
    expect(readExif(await exifOf({ IFD2: { DateTimeDigitized: '2023:01:02 03:04:05' } })).capturedAt).toBe(
      '2023-01-02T03:04:05',
    );
    expect(readExif(await exifOf({ IFD0: { DateTime: '2022:01:02 03:04:05' } })).capturedAt).toBe(
      '2022-01-02T03:04:05',
    );
    expect(
      readExif(
        await exifOf({ IFD0: { DateTime: '2022:01:02 03:04:05' }, IFD2: { DateTimeOriginal: '2024:05:01 12:34:56' } }),
      ).capturedAt,
    ).toBe('2024-05-01T12:34:56');
  });

  it('rejects calendar days that do not exist, out-of-range hours, and trailing junk', () => {
    const at = (text: string) => readExif(block([ascii(0x0132, text)])).capturedAt;
    expect(at('2024:02:29 12:00:00')).toBe('2024-02-29T12:00:00');
    for (const text of [
      '2023:02:29 12:00:00',
      '2024:02:30 12:00:00',
      '2024:04:31 12:00:00',
      '2024:05:32 12:00:00',
      '2024:05:01 24:00:00',
      '2024:05:01 12:60:00',
      '2024:05:01 12:00:00junk',
      '    :  :     :  :  ',
    ]) {
      expect(at(text)).toBeNull();
    }
  });

  it('reads ASCII values stored inline (4 bytes or fewer) as well as at an offset', async () => {
    expect(readExif(await exifOf({ IFD0: { Make: 'LG', Model: 'G6' } })).cameraModel).toBe('LG G6');
    expect(readExif(block([{ tag: 0x010f, type: 2, count: 4, value: Buffer.from('Sony') }])).cameraModel).toBe('Sony');
  });

  it('cuts the camera at the first NUL, drops control characters, and keeps at most 100 characters', () => {
    const model = { tag: 0x0110, type: 2, count: 12, value: Buffer.from('R5\0garbage!!', 'latin1') };
    expect(readExif(block([ascii(0x010f, 'Ca\x01n\x1bo\x85n'), model])).cameraModel).toBe('Canon R5');
    expect(readExif(block([ascii(0x0110, 'M'.repeat(150))])).cameraModel).toBe('M'.repeat(100));
    expect(readExif(block([ascii(0x0110, `${'M'.repeat(99)} X`)])).cameraModel).toBe('M'.repeat(99));
  });

  it('reports GPS only for a latitude or longitude, not for a GPS IFD with just a reference', async () => {
    expect(readExif(await exifOf({ IFD3: { GPSLatitudeRef: 'N' } })).hasGps).toBe(false);
    expect(readExif(await exifOf({ IFD3: { GPSLongitude: '0/1 7/1 0/1' } })).hasGps).toBe(true);
  });

  it('ignores everything past the first MiB and IFDs with more than 1000 entries', () => {
    expect(readExif(block([ascii(0x010f, 'NearMake')], 1000)).cameraModel).toBe('NearMake');
    expect(readExif(block([ascii(0x010f, 'FarAwayMake')], 1024 * 1024))).toEqual(NOTHING);
    const huge = Buffer.concat([
      Buffer.from('II\x2a\0\x08\0\0\0', 'latin1'),
      Buffer.from([0xe9, 0x03]),
      Buffer.alloc(1001 * 12 + 4),
    ]);
    expect(readExif(huge)).toEqual(NOTHING);
  });

  it('does not re-read IFD0 through the Exif or GPS pointer', () => {
    const started = Date.now();
    const loop = block([ascii(0x0004, 'x'), pointer(0x8769, 8), pointer(0x8825, 8)]);
    expect(readExif(loop).hasGps).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
