import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ZipFile } from 'yazl';

import { useNativeCrc32 } from './native-crc';

useNativeCrc32();

/** One file of an archive: its name (already safe and unique), size, time, and its bytes when due. */
export type ZipSource = {
  name: string;
  size: number;
  /** Written as the entry's time: the same on every request, so the archive's bytes are too. */
  mtime: Date;
  /** Opens exactly `size` bytes, when the archive gets to this entry (one entry open at a time). */
  open: () => Promise<Readable>;
};

export type ByteRange = { start: number; end: number };

/** Entries are stored (no compression, as photos do not shrink), with their sizes given up front. */
const optionsOf = (source: Pick<ZipSource, 'size' | 'mtime'>) => ({
  size: source.size,
  mtime: source.mtime,
  compress: false,
  mode: 0o100644,
});

/** `end` as yazl has it: its typings leave out the size the callback is given. */
type Ending = { end(options: object, calculatedTotalSize: (size: number) => void): void };

/**
 * The exact length of the archive of these entries, worked out by yazl from their names and
 * sizes (stored entries with known sizes: no byte of them needs to be read for it).
 */
export function zipLength(sources: Pick<ZipSource, 'name' | 'size' | 'mtime'>[]): number {
  const zip = new ZipFile();
  // Never pumped: yazl only asks for the first entry's stream, which is never given.
  for (const source of sources) zip.addReadStreamLazy(source.name, optionsOf(source), () => undefined);
  let length = -1;
  (zip as unknown as Ending).end({}, (size) => (length = size));
  if (length < 0) throw new Error('the archive length could not be worked out');
  return length;
}

/**
 * Passes on the bytes of `range` only (positions counted from the archive's first byte), and
 * calls `complete` once the range's last byte is out.
 */
class RangeSlice extends Transform {
  private position = 0;
  private done = false;

  constructor(
    private readonly range: ByteRange,
    private readonly complete: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const from = this.position;
    this.position += chunk.length;
    if (this.done || this.position <= this.range.start) return callback();
    this.push(chunk.subarray(Math.max(0, this.range.start - from), Math.min(chunk.length, this.range.end + 1 - from)));
    if (this.position > this.range.end) {
      this.done = true;
      this.push(null);
      setImmediate(this.complete);
    }
    callback();
  }
}

/**
 * The archive's bytes in `range`, streamed: each entry's file is opened when yazl gets to it and
 * flows through with back-pressure, so memory stays the same whatever the archive's size. The
 * bytes before `range.start` are made again and dropped (yazl needs every entry's CRC-32 for the
 * central directory at the end): a range that starts late reads the files before it once more.
 * A failure of a file (missing, cut, of another size) ends the stream with an error; a consumer
 * that goes away closes the file being read.
 */
export function streamZip(sources: ZipSource[], length: number, range: ByteRange): Readable {
  const zip = new ZipFile();
  let current: Readable | null = null;
  let stopped = false;
  const output = new RangeSlice(range, () => stop());
  function stop(error?: Error) {
    if (stopped) return;
    stopped = true;
    current?.destroy();
    zip.outputStream.unpipe(output);
    (zip.outputStream as unknown as Readable).destroy();
    if (error) output.destroy(error);
  }
  for (const source of sources) {
    zip.addReadStreamLazy(source.name, optionsOf(source), (give) => {
      if (stopped) return;
      source.open().then(
        (stream) => {
          if (stopped) return void stream.destroy();
          current = stream;
          stream.once('error', (error: Error) => stop(error));
          give(null, stream);
        },
        (error: Error) => stop(error),
      );
    });
  }
  zip.on('error', (error: Error) => stop(error));
  (zip as unknown as Ending).end({}, (size) => {
    if (size !== length) stop(new Error(`the archive is ${size} bytes, not the ${length} announced`));
  });
  output.once('close', () => stop());
  zip.outputStream.pipe(output);
  return output;
}
