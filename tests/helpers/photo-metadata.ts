import sharp, { type Exif } from 'sharp';

/** What three camera families write: Canon, Nikon and Apple-style EXIF tags (IFD0 and the Exif IFD). */
export const CAMERAS = {
  canon: {
    exif: {
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
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    },
    orientation: 1,
    read: {
      capturedAt: '2024-05-01T12:34:56+02:00',
      cameraModel: 'Canon EOS R5',
      lensModel: 'RF24-105mm F4 L IS USM',
      focalLength: 50,
      fNumber: 2.8,
      exposureTime: 0.004,
      iso: 400,
      hasGps: true,
    },
  },
  nikon: {
    exif: {
      IFD0: { Make: 'NIKON CORPORATION', Model: 'NIKON Z 6_2' },
      IFD2: {
        DateTimeOriginal: '2023:11:20 07:05:00',
        LensModel: 'NIKKOR Z 24-70mm f/4 S',
        FocalLength: '700/10',
        FNumber: '40/10',
        ExposureTime: '10/600',
        ISOSpeedRatings: '1600',
      },
    },
    orientation: 8,
    read: {
      capturedAt: '2023-11-20T07:05:00',
      cameraModel: 'NIKON CORPORATION NIKON Z 6_2',
      lensModel: 'NIKKOR Z 24-70mm f/4 S',
      focalLength: 70,
      fNumber: 4,
      exposureTime: 0.0166667,
      iso: 1600,
      hasGps: false,
    },
  },
  apple: {
    exif: {
      IFD0: { Make: 'Apple', Model: 'iPhone 15 Pro' },
      IFD2: {
        DateTimeOriginal: '2025:07:04 21:15:30',
        OffsetTimeOriginal: '-07:00',
        LensModel: 'iPhone 15 Pro back triple camera 6.765mm f/1.78',
        FocalLength: '6765/1000',
        FNumber: '178/100',
        ExposureTime: '1/120',
        ISOSpeedRatings: '64',
      },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '37/1 46/1 30/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '122/1 25/1 6/1',
      },
    },
    orientation: 6,
    read: {
      capturedAt: '2025-07-04T21:15:30-07:00',
      cameraModel: 'Apple iPhone 15 Pro',
      lensModel: 'iPhone 15 Pro back triple camera 6.765mm f/1.78',
      focalLength: 6.765,
      fNumber: 1.78,
      exposureTime: 0.00833333,
      iso: 64,
      hasGps: true,
    },
  },
} satisfies Record<string, { exif: Exif; orientation: number; read: Record<string, unknown> }>;

export type Words = { keywords?: string[]; title?: string; description?: string };

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const alt = (text: string) => `<rdf:Alt><rdf:li xml:lang="x-default">${escape(text)}</rdf:li></rdf:Alt>`;

/** An XMP packet with dc:subject (keywords), dc:title and dc:description. */
export function xmpPacket({ keywords = [], title, description }: Words): string {
  const subject = keywords.length
    ? `<dc:subject><rdf:Bag>${keywords.map((k) => `<rdf:li>${escape(k)}</rdf:li>`).join('')}</rdf:Bag></dc:subject>`
    : '';
  return (
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
    subject +
    (title === undefined ? '' : `<dc:title>${alt(title)}</dc:title>`) +
    (description === undefined ? '' : `<dc:description>${alt(description)}</dc:description>`) +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

/** One IPTC-IIM dataset of record 2: 0x1C, 2, its number, a 16-bit length, UTF-8 bytes. */
function dataset(number: number, text: string): Buffer {
  const value = Buffer.from(text, 'utf8');
  const head = Buffer.from([0x1c, 2, number, value.length >> 8, value.length & 0xff]);
  return Buffer.concat([head, value]);
}

/** An APP13 segment ("Photoshop 3.0", one 8BIM 0x0404 resource) with IPTC keywords, object name and caption. */
export function iptcSegment({ keywords = [], title, description }: Words): Buffer {
  const records = Buffer.concat([
    ...(title === undefined ? [] : [dataset(5, title)]),
    ...keywords.map((keyword) => dataset(25, keyword)),
    ...(description === undefined ? [] : [dataset(120, description)]),
  ]);
  const padded = records.length % 2 ? Buffer.concat([records, Buffer.alloc(1)]) : records;
  const size = Buffer.alloc(4);
  size.writeUInt32BE(records.length);
  const resource = Buffer.concat([Buffer.from('8BIM\x04\x04\0\0', 'latin1'), size, padded]);
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), resource]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xed]), length, body]);
}

/** A JPEG with `segment` put right after its start of image. */
export function withSegment(jpeg: Buffer, segment: Buffer): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

type Fixture = { exif?: Exif; orientation?: number; xmp?: Words; iptc?: Words; width?: number; height?: number };

/** A small JPEG with the EXIF, orientation, XMP and IPTC asked for. */
export async function photo({ exif, orientation, xmp, iptc, width = 16, height = 12 }: Fixture = {}): Promise<Buffer> {
  let image = sharp({ create: { width, height, channels: 3, background: '#4a7' } }).jpeg();
  if (orientation) image = image.withMetadata({ orientation });
  if (exif) image = image.withExif(exif);
  if (xmp) image = image.withXmp(xmpPacket(xmp));
  const jpeg = await image.toBuffer();
  return iptc ? withSegment(jpeg, iptcSegment(iptc)) : jpeg;
}
