// Shared helpers of `npm run bench`: temp dirs and child processes that are cleaned up on every way
// out (normal end, error, Ctrl-C), percentiles, and the table / MET-MISS printing.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cleanups = new Set<() => void>();

/** Registers a synchronous cleanup; the returned function runs it now (once) and unregisters it. */
export function onCleanup(fn: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    cleanups.delete(run);
    try {
      fn();
    } catch {
      // best effort
    }
  };
  cleanups.add(run);
  return run;
}

export function runCleanups(): void {
  for (const run of [...cleanups].reverse()) run();
}

let installed = false;
/** Cleans up on process exit and on SIGINT/SIGTERM (then exits 130/143). */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      runCleanups();
      process.exit(code);
    });
  }
}

/** A new temp dir, removed by `remove()` or at exit whatever happens. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = onCleanup(() => rmSync(path, { recursive: true, force: true }));
  return { path, remove };
}

/** Kills the child (SIGKILL) at exit if it is still running. */
export function killOnExit(child: ChildProcess): () => void {
  return onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** Nearest-rank percentile of numbers (need not be sorted). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const MiB = 1024 * 1024;
export const mb = (bytes: number) => bytes / 1e6;

/** Prints a table: the first column left-aligned, the others right-aligned. */
export function printTable(headers: string[], rows: string[][], widths: number[]): void {
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('');
  console.log(line(headers));
  for (const row of rows) console.log(line(row));
}

export function verdict(met: boolean, text: string): string {
  return `${met ? 'MET ' : 'MISS'}  ${text}`;
}

/** Runs `work` over `items` with at most `concurrency` at a time; results in item order. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A small seeded generator (mulberry32): the same sequence on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
