import { Presets, SingleBar } from 'cli-progress';

import { bytes } from './output';

/** Files and bytes done of a known total, with an ETA: a bar on a terminal, nothing otherwise. */
export type Progress = { add(files: number, byteCount: number): void; stop(): void };

export function progressBar(label: string, totalFiles: number, totalBytes: number, quiet: boolean): Progress {
  if (quiet || !process.stderr.isTTY || totalFiles === 0) return { add: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: `${label} {bar} {percentage}% | {files}/{totalFiles} files | {done}/{size} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    Presets.shades_classic,
  );
  let files = 0;
  let done = 0;
  bar.start(totalBytes, 0, { files, totalFiles, done: bytes(0), size: bytes(totalBytes) });
  return {
    add(fileCount, byteCount) {
      files += fileCount;
      done += byteCount;
      bar.update(done, { files, done: bytes(done) });
    },
    stop: () => bar.stop(),
  };
}
