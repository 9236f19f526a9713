export type ExifSummary = {
  /** "YYYY-MM-DDTHH:MM:SS" as the camera wrote it, plus its UTC offset ("+02:00") when recorded. */
  capturedAt: string | null;
  /** Make and model, e.g. "Canon EOS R5". */
  cameraModel: string | null;
  /** Whether a GPS position is present; the position itself is never read out. */
  hasGps: boolean;
};

const NOTHING: ExifSummary = { capturedAt: null, cameraModel: null, hasGps: false };
const MAX_BYTES = 1024 * 1024;
const MAX_ENTRIES = 1000;

const TAG = {
  make: 0x010f,
  model: 0x0110,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  dateTimeOriginal: 0x9003,
  dateTimeDigitized: 0x9004,
  offsetTimeOriginal: 0x9011,
  gpsLatitude: 0x0002,
  gpsLongitude: 0x0004,
} as const;

type Entry = { type: number; count: number; valueOffset: number };

/** The entries of one IFD by tag, or null when its offset or count is out of bounds. */
function readIfd(tiff: Buffer, offset: number, little: boolean): Map<number, Entry> | null {
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (offset < 8 || offset + 2 > tiff.length) return null;
  const count = u16(offset);
  if (count > MAX_ENTRIES || offset + 2 + count * 12 > tiff.length) return null;
  const entries = new Map<number, Entry>();
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    entries.set(u16(at), { type: u16(at + 2), count: u32(at + 4), valueOffset: at + 8 });
  }
  return entries;
}

/** An ASCII value (type 2): inline when it fits in 4 bytes, else at the offset the entry holds. */
function readAscii(tiff: Buffer, entry: Entry | undefined, little: boolean): string | null {
  if (!entry || entry.type !== 2 || entry.count === 0 || entry.count > 256) return null;
  const start =
    entry.count <= 4
      ? entry.valueOffset
      : little
        ? tiff.readUInt32LE(entry.valueOffset)
        : tiff.readUInt32BE(entry.valueOffset);
  if (start + entry.count > tiff.length) return null;
  // The text ends at the first NUL; control characters (C0, DEL, C1) are dropped.
  const raw = tiff.subarray(start, start + entry.count).toString('latin1');
  const end = raw.indexOf('\0');
  const text = (end < 0 ? raw : raw.slice(0, end)).replace(/\p{Cc}/gu, '').trim();
  return text.length > 0 ? text : null;
}

/** A pointer to a sub-IFD (type 4, LONG). */
function readPointer(tiff: Buffer, entry: Entry | undefined, little: boolean): number | null {
  if (!entry || (entry.type !== 4 && entry.type !== 13) || entry.count !== 1) return null;
  return little ? tiff.readUInt32LE(entry.valueOffset) : tiff.readUInt32BE(entry.valueOffset);
}

/** "2024:05:01 12:34:56" → "2024-05-01T12:34:56", with a well-formed "+02:00" offset appended; null when not a real calendar time. */
function captureTime(value: string | null, offset: string | null): string | null {
  const match = value && /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (
    year < 1800 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > new Date(Date.UTC(year, month, 0)).getUTCDate() ||
    hour > 23 ||
    minute > 59 ||
    second > 60
  )
    return null;
  const zone = offset && /^[+-](0\d|1[0-4]):[0-5]\d$/.test(offset) ? offset : '';
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${zone}`;
}

/** "Canon" + "Canon EOS R5" → "Canon EOS R5"; "FUJIFILM" + "X-T4" → "FUJIFILM X-T4". */
function camera(make: string | null, model: string | null): string | null {
  const joined =
    make && model ? (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`) : (make ?? model);
  const cut = joined?.slice(0, 100).trim();
  return cut ? cut : null;
}

/**
 * What the server keeps from an image's EXIF block (as sharp's metadata gives it, `Exif\0\0` and
 * a TIFF structure): capture time, camera, and whether there is a GPS position. Never throws:
 * every offset and count is checked against the buffer, and no IFD is read twice.
 */
export function readExif(exif: Buffer | undefined | null): ExifSummary {
  if (!exif || exif.length < 8) return NOTHING;
  const start = exif.subarray(0, 6).toString('latin1') === 'Exif\u0000\u0000' ? 6 : 0;
  const tiff = exif.subarray(start, start + MAX_BYTES);
  if (tiff.length < 8) return NOTHING;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return NOTHING;
  const little = order === 'II';
  if ((little ? tiff.readUInt16LE(2) : tiff.readUInt16BE(2)) !== 42) return NOTHING;

  const ifd0Offset = little ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
  const ifd0 = readIfd(tiff, ifd0Offset, little);
  if (!ifd0) return NOTHING;
  const seen = new Set([ifd0Offset]);
  const follow = (pointer: number | null) => {
    if (pointer === null || seen.has(pointer)) return null;
    seen.add(pointer);
    return readIfd(tiff, pointer, little);
  };
  const exifIfd = follow(readPointer(tiff, ifd0.get(TAG.exifIfd), little));
  const gpsIfd = follow(readPointer(tiff, ifd0.get(TAG.gpsIfd), little));

  const ascii = (ifd: Map<number, Entry> | null, tag: number) => (ifd ? readAscii(tiff, ifd.get(tag), little) : null);
  const taken =
    ascii(exifIfd, TAG.dateTimeOriginal) ?? ascii(exifIfd, TAG.dateTimeDigitized) ?? ascii(ifd0, TAG.dateTime);
  return {
    capturedAt: captureTime(taken, ascii(exifIfd, TAG.offsetTimeOriginal)),
    cameraModel: camera(ascii(ifd0, TAG.make), ascii(ifd0, TAG.model)),
    hasGps: gpsIfd !== null && (gpsIfd.has(TAG.gpsLatitude) || gpsIfd.has(TAG.gpsLongitude)),
  };
}
