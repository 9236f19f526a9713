import { sniffImageType } from '../../src/shared/image-types';
import { avifBytes, gifBytes, jpegBytes, pngBytes, webpBytes } from '../helpers/factories';

describe('sniffImageType', () => {
  it.each([
    ['image/png', pngBytes],
    ['image/jpeg', jpegBytes],
    ['image/gif', gifBytes],
    ['image/webp', webpBytes],
    ['image/avif', avifBytes],
  ])('recognises %s from its first bytes', async (type, make) => {
    expect(sniffImageType((await make()).subarray(0, 64))).toBe(type);
  });

  it.each([
    ['HTML', Buffer.from('<!doctype html><html>')],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['a RIFF file that is not WebP', Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ')],
    [
      'an MP4 (ftyp without an AVIF brand)',
      Buffer.from('\u0000\u0000\u0000\u0018ftypmp42\u0000\u0000\u0000\u0000mp42isom'),
    ],
    ['nothing', Buffer.alloc(0)],
    ['two bytes of JPEG', Buffer.from([0xff, 0xd8])],
  ])('rejects %s', (_name, bytes) => {
    expect(sniffImageType(bytes)).toBeNull();
  });
});
