import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';

type Crc32Module = { unsigned: (data: Buffer, previous?: number) => number };

/**
 * yazl works out each entry's CRC-32 with buffer-crc32's `unsigned`, a loop over every byte in
 * JavaScript (about 100 MB/s): the slowest step of a zip by far. Node's `zlib.crc32` computes the
 * same CRC-32 (the one of zip, gzip and PNG) natively, an order of magnitude faster. So yazl's copy
 * of buffer-crc32 gets it, once the two agree on a sample; the zip's bytes are the same either way
 * (the tests unzip and check every CRC with standard tools).
 */
export function useNativeCrc32(): void {
  // yazl's own copy, as Node loads it (a test runner with a module registry of its own may load
  // another: yazl then keeps the slower one, with the same results).
  const module = createRequire(require.resolve('yazl'))('buffer-crc32') as Crc32Module;
  if ((module.unsigned as { native?: boolean }).native) return;
  const sample = Buffer.from('The quick brown fox jumps over the lazy dog, 0123456789');
  const native = Object.assign((data: Buffer, previous = 0) => crc32(data, previous), { native: true });
  const agrees =
    native(sample) === module.unsigned(sample) &&
    native(sample.subarray(9), native(sample.subarray(0, 9))) === module.unsigned(sample);
  if (agrees) module.unsigned = native;
}
