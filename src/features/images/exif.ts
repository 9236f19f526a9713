import { open } from 'node:fs/promises';
import { parse, sidecar } from 'exifr';

import { embeddedText, NO_TEXT, type EmbeddedText } from './embedded-text';

export { MAX_KEYWORD_LENGTH, MAX_KEYWORDS, type EmbeddedText } from './embedded-text';

/** What the server stores of a photo's EXIF: columns of its row (image-columns.ts). */
export type ExifSummary = {
  /** "YYYY-MM-DDTHH:MM:SS" as the camera wrote it, plus its UTC offset ("+02:00") when recorded. */
  capturedAt: string | null;
  /** Make and model, e.g. "Canon EOS R5". */
  cameraModel: string | null;
  /** The lens, e.g. "RF24-105mm F4 L IS USM". */
  lensModel: string | null;
  /** Focal length in millimetres. */
  focalLength: number | null;
  /** Aperture: the f-number, e.g. 2.8. */
  fNumber: number | null;
  /** Exposure time in seconds, e.g. 0.004 for 1/250. */
  exposureTime: number | null;
  /** ISO speed. */
  iso: number | null;
  /** Whether a GPS position is present (EXIF or XMP); the position itself is never read out. */
  hasGps: boolean;
};

/** Everything read from a file's metadata: the EXIF summary, its orientation, and its words. */
export type PhotoMetadata = ExifSummary & { orientation: number | null } & EmbeddedText;

export const NO_EXIF: ExifSummary = {
  capturedAt: null,
  cameraModel: null,
  lensModel: null,
  focalLength: null,
  fNumber: null,
  exposureTime: null,
  iso: null,
  hasGps: false,
};
export const NO_METADATA: PhotoMetadata = { ...NO_EXIF, orientation: null, ...NO_TEXT };

/**
 * The version of what this reader reads: stored with each image (`metadataVersion`); rows below it
 * are read again by `npm run metadata:backfill`. Raise it when the reader reads more.
 */
export const METADATA_VERSION = 1;

/** At most this much of a file is read: metadata sits in its first segments. */
export const MAX_BYTES = 1024 * 1024;
/** A parse that takes longer is given up (as if the file had no metadata). */
const MAX_MS = 2000;

const TAG = {
  imageDescription: 0x010e,
  make: 0x010f,
  model: 0x0110,
  orientation: 0x0112,
  dateTime: 0x0132,
  offsetTime: 0x9010,
  exposureTime: 0x829a,
  fNumber: 0x829d,
  iso: 0x8827,
  dateTimeOriginal: 0x9003,
  dateTimeDigitized: 0x9004,
  offsetTimeOriginal: 0x9011,
  offsetTimeDigitized: 0x9012,
  focalLength: 0x920a,
  lensModel: 0xa434,
  gpsLatitude: 0x0002,
  gpsLongitude: 0x0004,
} as const;

/** exifr's options (its types leave out two that it reads). */
type ExifrOptions = Exclude<Parameters<typeof parse>[1], boolean | unknown[] | undefined> & {
  silentErrors: boolean;
  chunked: boolean;
};

/** Only the tags read here are parsed; no thumbnail, maker note, ICC profile or XMP extension. */
const OPTIONS: ExifrOptions = {
  ifd0: { pick: [TAG.make, TAG.model, TAG.orientation, TAG.dateTime, TAG.offsetTime] },
  exif: {
    pick: [
      TAG.exposureTime,
      TAG.fNumber,
      TAG.iso,
      TAG.dateTimeOriginal,
      TAG.dateTimeDigitized,
      TAG.offsetTimeOriginal,
      TAG.offsetTimeDigitized,
      TAG.focalLength,
      TAG.lensModel,
    ],
  },
  gps: { pick: [TAG.gpsLatitude, TAG.gpsLongitude] },
  ifd1: false,
  interop: false,
  makerNote: false,
  userComment: false,
  xmp: true,
  iptc: true,
  icc: false,
  jfif: false,
  ihdr: false,
  multiSegment: false,
  translateKeys: false,
  translateValues: false,
  reviveValues: false,
  mergeOutput: false,
  silentErrors: true,
  chunked: false,
};

type Block = Record<string, unknown>;
type Parsed = { ifd0?: Block; exif?: Block; gps?: Block; iptc?: Block; dc?: Block; aux?: Block };

/** "2024:05:01 12:34:56" → "2024-05-01T12:34:56", with a well-formed "+02:00" offset appended; null when not a real calendar time. */
function captureTime(value: unknown, offset: unknown): string | null {
  const match = typeof value === 'string' && /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (year < 1800 || month < 1 || month > 12 || day < 1 || day > lastDay || hour > 23 || minute > 59 || second > 60)
    return null;
  const zone = typeof offset === 'string' && /^[+-](0\d|1[0-4]):[0-5]\d$/.test(offset) ? offset : '';
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${zone}`;
}

/** A one-line ASCII value: up to its first NUL, control characters dropped, at most 100 characters. */
function ascii(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const end = value.indexOf('\0');
  const text = (end < 0 ? value : value.slice(0, end)).replace(/\p{Cc}/gu, '').trim();
  return text.slice(0, 100).trim() || null;
}

/** "Canon" + "Canon EOS R5" → "Canon EOS R5"; "FUJIFILM" + "X-T4" → "FUJIFILM X-T4". */
function camera(make: string | null, model: string | null): string | null {
  const joined =
    make && model ? (model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`) : (make ?? model);
  return joined?.slice(0, 100).trim() || null;
}

/** A positive finite number up to `max` (the first of a list, as some writers store ISO), else null. */
function positive(value: unknown, max: number): number | null {
  const number = Array.isArray(value) ? (value[0] as unknown) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0 || number > max) return null;
  return Number(number.toPrecision(6));
}

function summary({ ifd0 = {}, exif = {}, gps = {}, aux = {} }: Parsed): ExifSummary & { orientation: number | null } {
  const taken =
    captureTime(exif[TAG.dateTimeOriginal], exif[TAG.offsetTimeOriginal]) ??
    captureTime(exif[TAG.dateTimeDigitized], exif[TAG.offsetTimeDigitized]) ??
    captureTime(ifd0[TAG.dateTime], ifd0[TAG.offsetTime]);
  const iso = positive(exif[TAG.iso], 10_000_000);
  const orientation = ifd0[TAG.orientation];
  return {
    capturedAt: taken,
    cameraModel: camera(ascii(ifd0[TAG.make]), ascii(ifd0[TAG.model])),
    lensModel: ascii(exif[TAG.lensModel]) ?? ascii(aux.Lens),
    focalLength: positive(exif[TAG.focalLength], 100_000),
    fNumber: positive(exif[TAG.fNumber], 1000),
    exposureTime: positive(exif[TAG.exposureTime], 100_000),
    iso: iso === null ? null : Math.round(iso),
    orientation: typeof orientation === 'number' && orientation >= 1 && orientation <= 8 ? orientation : null,
    // EXIF's GPS block, or XMP's exif:GPSLatitude / exif:GPSLongitude (which exifr puts with EXIF's tags).
    hasGps:
      gps[TAG.gpsLatitude] !== undefined ||
      gps[TAG.gpsLongitude] !== undefined ||
      exif.GPSLatitude !== undefined ||
      exif.GPSLongitude !== undefined,
  };
}

/** exifr's parse of a file, or of an XMP packet, given up after MAX_MS; any failure is "nothing". */
async function parsed(input: Buffer, as: 'file' | 'xmp' = 'file'): Promise<Parsed> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), MAX_MS);
  });
  try {
    const reading = as === 'xmp' ? sidecar(input, OPTIONS, 'xmp') : parse(input, OPTIONS);
    const result: unknown = await Promise.race([reading, timeout]);
    return result && typeof result === 'object' ? result : {};
  } catch {
    return {};
  } finally {
    clearTimeout(timer);
  }
}

/** The first MAX_BYTES of a file. */
async function headOf(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(MAX_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What sharp found in a file's header (`metadata.exif`, `metadata.xmp`). */
export type SharpBlocks = { exif?: Buffer; xmp?: Buffer };

/**
 * What the server keeps from an image's metadata, read by exifr from the file (a path, or its
 * bytes; only the first MAX_BYTES are read): EXIF's capture time, camera, lens and exposure, its
 * orientation, whether there is a GPS position, and the IPTC/XMP keywords, title and description.
 * Where exifr finds no EXIF or XMP in the file (WebP and GIF, which it does not open; XMP in PNG
 * and AVIF), it reads the blocks sharp found instead. Never throws: a damaged or hostile file has
 * no metadata.
 */
export async function readMetadata(file: string | Buffer, blocks: SharpBlocks = {}): Promise<PhotoMetadata> {
  try {
    const head = typeof file === 'string' ? await headOf(file) : file.subarray(0, MAX_BYTES);
    let found = await parsed(head);
    const { exif, xmp } = blocks;
    if (!found.ifd0 && !found.exif && exif && exif.length >= 8) {
      const tiff = exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? exif.subarray(6) : exif;
      found = { ...(await parsed(tiff.subarray(0, MAX_BYTES))), ...found };
    }
    if (!found.dc && xmp && xmp.length > 0) {
      const packet = await parsed(xmp.subarray(0, MAX_BYTES), 'xmp');
      found = { ...found, dc: packet.dc, aux: found.aux ?? packet.aux };
    }
    return { ...summary(found), ...embeddedText(found.iptc, found.dc) };
  } catch {
    return NO_METADATA;
  }
}

/** The title a file carries (XMP dc:title, else IPTC Object Name), cleaned as readMetadata does; null when none. */
export async function embeddedTitle(path: string): Promise<string | null> {
  return (await readMetadata(path)).title;
}
