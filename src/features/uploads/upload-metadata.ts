import { badRequest } from '../../shared/errors';
import { uploadMetadata, type UploadMetadata } from './uploads.schemas';

const KEY = /^[\x21-\x2b\x2d-\x7e]+$/; // printable ASCII, no space, no comma
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const invalid = (why: string) => badRequest(`Upload-Metadata: ${why}`, [{ path: 'Upload-Metadata', message: why }]);

/**
 * The pairs of a tus Upload-Metadata header (`key base64value, key2 base64value2`, a key alone
 * for an empty value), each value decoded as UTF-8. 400 when it is not that.
 */
export function parseMetadataHeader(header: string | undefined): Record<string, string> {
  const pairs: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return pairs;
  for (const item of header.split(',')) {
    const [key, value = '', ...rest] = item.trim().split(' ');
    if (!key || !KEY.test(key) || rest.length > 0) throw invalid('each pair is a key, a space and a Base64 value.');
    if (Object.hasOwn(pairs, key)) throw invalid(`the key "${key}" appears twice.`);
    if (!BASE64.test(value)) throw invalid(`the value of "${key}" is not Base64.`);
    const decoded = Buffer.from(value, 'base64');
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      pairs[key] = text.decode(decoded);
    } catch {
      throw invalid(`the value of "${key}" is not UTF-8 text.`);
    }
  }
  return pairs;
}

/** The new upload's gallery, title and description from its Upload-Metadata; 400 as a form would get. */
export function readUploadMetadata(header: string | undefined): UploadMetadata {
  const pairs = parseMetadataHeader(header);
  const nul = Object.entries(pairs).find(([, value]) => value.includes('\u0000'));
  if (nul)
    throw badRequest(`${nul[0]}: Control characters are not allowed.`, [
      { path: nul[0], message: 'Control characters are not allowed.' },
    ]);
  return uploadMetadata.parse(pairs);
}
